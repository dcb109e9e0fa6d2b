import type uPlot from 'uplot';
import { ApiError, api } from './api.ts';
import { h, replace, setText } from './dom.ts';
import { formatTime, humanize } from './format.ts';
import { qualityName } from './freshness.ts';
import type { View } from './main.ts';
import { serverNow, store } from './store.ts';
import { loadUplot } from './uplot-loader.ts';

interface HistoryPoint {
  t: number;
  avg: number;
  min: number;
  max: number;
  count: number;
  /** Holds minutes an edge adapter compacted during a WAN outage: no raw samples behind it. */
  compacted: boolean;
  worstQuality?: number;
}

interface History {
  resolution: string;
  bucketSeconds: number;
  points: HistoryPoint[];
}

const ranges = [
  ['1h', 'Last hour', 3_600_000],
  ['6h', '6 hours', 6 * 3_600_000],
  ['24h', '24 hours', 86_400_000],
  ['7d', '7 days', 7 * 86_400_000],
  ['30d', '30 days', 30 * 86_400_000],
] as const;

/**
 * uPlot's columns (time, min, max, avg of raw buckets, avg of compacted ones), with an empty
 * point wherever buckets are missing (the device was silent, the pipeline was down): a line
 * across a gap would invent values. Compacted buckets get a series of their own, so the raw
 * line breaks where they are and they never pass for samples; at raw resolution a compacted
 * minute can share its start with a raw bucket, and then both sit on one row.
 */
function withGaps(history: History): uPlot.AlignedData {
  const columns: (number | null)[][] = [[], [], [], [], []];
  const rows = new Map<number, HistoryPoint[]>();
  for (const p of history.points) rows.set(p.t, [...(rows.get(p.t) ?? []), p]);
  let previous: { t: number; step: number } | undefined;
  for (const [t, points] of rows) {
    if (previous !== undefined && t - previous.t > previous.step * 1500) {
      columns[0]?.push((previous.t + previous.step * 1000) / 1000);
      for (const c of [1, 2, 3, 4]) columns[c]?.push(null);
    }
    const raw = points.find((p) => !p.compacted);
    const compacted = points.find((p) => p.compacted);
    columns[0]?.push(t / 1000);
    columns[1]?.push(Math.min(...points.map((p) => p.min)));
    columns[2]?.push(Math.max(...points.map((p) => p.max)));
    columns[3]?.push(raw?.avg ?? null);
    columns[4]?.push(compacted?.avg ?? null);
    // A compacted point stands for at least a minute, whatever the bucket.
    previous = { t, step: raw ? history.bucketSeconds : Math.max(60, history.bucketSeconds) };
  }
  return columns as uPlot.AlignedData;
}

/** What the caption says about compacted buckets, if any. */
function compactedNote(history: History): string {
  const compacted = history.points.filter((p) => p.compacted);
  if (compacted.length === 0) return '';
  const names = new Set(compacted.map((p) => (p.worstQuality === undefined ? 'good' : qualityName(p.worstQuality))));
  const worst = names.has('bad') ? 'bad' : names.has('uncertain') ? 'uncertain' : 'good';
  const which = compacted.length === 1 ? '1 point holds' : `${compacted.length} points hold`;
  return ` · ${which} minutes compacted at the edge during a link outage (orange: per-minute summaries, no raw samples; worst quality ${worst})`;
}

/** An instant as a datetime-local input's value (the browser's time zone). */
const localInput = (epochMs: number) => {
  const d = new Date(epochMs - new Date(epochMs).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/**
 * A tag's history over a chosen range, from PostgreSQL through /v1/history: the
 * average as a line inside its min–max band, so a short spike never vanishes in a
 * rollup. The gateway picks raw samples or a rollup for the span.
 */
export const historyView: View = (container) => {
  const tagSelect = h('select', { name: 'tag', 'aria-label': 'Tag' });
  const rangeButtons = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Range' });
  const from = h('input', { type: 'datetime-local', name: 'from', 'aria-label': 'From' });
  const to = h('input', { type: 'datetime-local', name: 'to', 'aria-label': 'To' });
  const caption = h('p', { class: 'chart__caption', role: 'status' });
  const chart = h('div', { class: 'chart', 'data-testid': 'history-chart' });
  let range: { from: number; to: number } = { from: serverNow() - 3_600_000, to: serverNow() };
  let plot: uPlot | undefined;

  for (const asset of store.assets.values()) {
    const group = h('optgroup', { label: asset.name });
    for (const tag of [...asset.tags.values()].sort((a, b) => a.tagId.localeCompare(b.tagId))) {
      group.append(
        h('option', { value: `${tag.deviceId}|${tag.tagId}` }, `${asset.name} · ${humanize(tag.tagId)}${tag.unit ? ` (${tag.unit})` : ''}`),
      );
    }
    if (group.children.length > 0) tagSelect.append(group);
  }
  for (const [id, label, span] of ranges) {
    rangeButtons.append(
      h(
        'button',
        {
          type: 'button',
          class: 'button',
          'data-range': id,
          'aria-pressed': id === '1h' ? 'true' : 'false',
          onclick: (event: Event) => {
            for (const b of rangeButtons.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === event.currentTarget));
            range = { from: serverNow() - span, to: serverNow() };
            void draw();
          },
        },
        label,
      ),
    );
  }
  const custom = h('form', { class: 'custom-range' }, from, to, h('button', { type: 'submit', class: 'button' }, 'Show'));
  custom.addEventListener('submit', (event) => {
    event.preventDefault();
    const f = Date.parse(from.value);
    const t = Date.parse(to.value);
    if (Number.isFinite(f) && Number.isFinite(t)) {
      range = { from: f, to: t };
      void draw();
    }
  });
  tagSelect.addEventListener('change', () => void draw());
  replace(container, h('div', { class: 'toolbar' }, tagSelect, rangeButtons, custom), caption, chart);

  async function draw(): Promise<void> {
    const [deviceId, tagId] = tagSelect.value.split('|');
    if (!deviceId || !tagId) {
      setText(caption, 'No tags yet: history appears once values have arrived.');
      return;
    }
    setText(caption, 'Loading…');
    from.value = localInput(range.from);
    to.value = localInput(range.to);
    const width = Math.max(320, chart.clientWidth || container.clientWidth);
    let history: History;
    try {
      const query = new URLSearchParams({
        deviceId,
        tagId,
        from: String(Math.round(range.from)),
        to: String(Math.round(range.to)),
        maxPoints: String(Math.min(2000, Math.round(width / 2))),
      });
      history = await api<History>(`/v1/history?${query}`);
    } catch (e) {
      setText(caption, e instanceof ApiError ? e.message : 'The gateway cannot be reached.');
      return;
    }
    const UPlot = await loadUplot();
    const data = withGaps(history);
    const resolution = history.resolution === 'raw' ? 'raw samples' : `${history.resolution} rollup`;
    setText(
      caption,
      history.points.length === 0
        ? `No stored samples of ${humanize(tagId)} between ${formatTime(range.from)} and ${formatTime(range.to)}.`
        : `${humanize(tagId)} · ${formatTime(range.from)} – ${formatTime(range.to)} · ${history.points.length} points of ${history.bucketSeconds} s (${resolution})${compactedNote(history)}`,
    );
    chart.dataset.compacted = String(history.points.filter((p) => p.compacted).length);
    plot?.destroy();
    plot = new UPlot(
      {
        width,
        height: Math.max(240, Math.min(520, Math.round(window.innerHeight * 0.55))),
        // The axis spans the range asked for, not just the data found in it.
        scales: { x: { time: true, range: [range.from / 1000, range.to / 1000] } },
        axes: [
          { stroke: '#c9d3de', grid: { stroke: '#2a3542' } },
          { stroke: '#c9d3de', grid: { stroke: '#2a3542' } },
        ],
        series: [
          {},
          { label: 'min', stroke: 'rgba(94,170,255,0.35)', width: 1 },
          { label: 'max', stroke: 'rgba(94,170,255,0.35)', width: 1 },
          { label: 'avg', stroke: '#5eaaff', width: 2, points: { show: history.points.length < 60, size: 5 } },
          // Dashed and always dotted: a compacted minute is a summary, never to be read as a sample.
          {
            label: 'compacted at the edge',
            stroke: '#f0a040',
            width: 2,
            dash: [6, 4],
            points: { show: true, size: 6, stroke: '#f0a040', fill: '#f0a040' },
          },
        ],
        bands: [{ series: [2, 1], fill: 'rgba(94,170,255,0.15)' }],
      },
      data,
      chart,
    );
  }

  const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(320, chart.clientWidth), height: plot.height }));
  resize.observe(chart);
  void draw();
  return () => {
    resize.disconnect();
    plot?.destroy();
  };
};
