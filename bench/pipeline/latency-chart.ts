/** One load of the chart: what was offered, what came through, and the latency percentiles at it. */
export interface ChartPoint {
  label: string;
  /** Samples/s committed end to end (the x axis). */
  throughput: number;
  p50: number;
  p99: number;
}

export interface ChartGoals {
  /** Samples/s end to end. */
  throughput: number;
  /** p99 ms at `atLoad` samples/s. */
  p99Ms: number;
  atLoad: number;
}

const W = 720;
const H = 420;
const M = { top: 40, right: 24, bottom: 56, left: 72 };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * Latency against load as a plain SVG (no chart library for two lines): x the end-to-end
 * throughput, linear; y sample → row committed in ms, logarithmic (milliseconds when the
 * pipeline keeps up, seconds of backlog when it does not); the goals dashed.
 */
export function latencyChart(points: readonly ChartPoint[], goals: ChartGoals, subtitle: string): string {
  const shown = points.filter((p) => Number.isFinite(p.throughput) && p.p50 > 0 && p.p99 > 0);
  const xMax = niceCeil(Math.max(goals.throughput, ...shown.map((p) => p.throughput)) * 1.1);
  const yValues = shown.flatMap((p) => [p.p50, p.p99]).concat(goals.p99Ms);
  const yMin = 10 ** Math.floor(Math.log10(Math.max(1, Math.min(...yValues))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...yValues)));
  const x = (v: number) => M.left + (v / xMax) * (W - M.left - M.right);
  const y = (v: number) =>
    H - M.bottom - ((Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - M.top - M.bottom);
  const parts: string[] = [];
  parts.push(`<title>Flowline pipeline: sample to committed row latency (p50, p99) by end-to-end throughput; ${esc(subtitle)}</title>`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${M.left}" y="20" font-size="15" font-weight="600">Sample → row committed, by end-to-end throughput</text>`);
  parts.push(`<text x="${M.left}" y="34" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  for (let decade = yMin; decade <= yMax; decade *= 10) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(decade)}" y2="${y(decade)}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${M.left - 8}" y="${y(decade) + 4}" font-size="11" text-anchor="end">${decade >= 1000 ? `${decade / 1000} s` : `${decade} ms`}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax / 5) * i;
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${x(v)}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${fmt(v)}</text>`);
  }
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 16}" font-size="12" text-anchor="middle">samples/s, scada.telemetry.raw → committed rows</text>`,
  );
  parts.push(
    `<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#999"/>`,
  );
  // The goals: p99 under 250 ms at 2,000/s, and 10,000/s end to end.
  parts.push(
    `<line x1="${M.left}" x2="${x(goals.atLoad)}" y1="${y(goals.p99Ms)}" y2="${y(goals.p99Ms)}" stroke="#2a7" stroke-dasharray="5 4"/>`,
    `<text x="${x(goals.atLoad) + 4}" y="${y(goals.p99Ms) + 4}" font-size="11" fill="#2a7">goal: p99 &lt; ${goals.p99Ms} ms at ${fmt(goals.atLoad)}/s</text>`,
    `<line x1="${x(goals.throughput)}" x2="${x(goals.throughput)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#2a7" stroke-dasharray="5 4"/>`,
    `<text x="${x(goals.throughput) - 4}" y="${M.top + 14}" font-size="11" fill="#2a7" text-anchor="end">goal: ${fmt(goals.throughput)}/s</text>`,
  );
  const sorted = [...shown].sort((a, b) => a.throughput - b.throughput);
  const series = [
    { name: 'p99', color: '#c33', pick: (p: ChartPoint) => p.p99 },
    { name: 'p50', color: '#36c', pick: (p: ChartPoint) => p.p50 },
  ];
  for (const s of series) {
    const path = sorted.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.throughput).toFixed(1)},${y(s.pick(p)).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of sorted) parts.push(`<circle cx="${x(p.throughput)}" cy="${y(s.pick(p))}" r="3.5" fill="${s.color}"/>`);
  }
  for (const p of sorted) {
    parts.push(`<text x="${x(p.throughput)}" y="${y(p.p99) - 8}" font-size="10" text-anchor="middle" fill="#333">${esc(p.label)}</text>`);
  }
  const legendX = W - M.right - 120;
  series.forEach((s, i) => {
    const ly = H - M.bottom - 36 + i * 16;
    parts.push(`<line x1="${legendX}" x2="${legendX + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${legendX + 24}" y="${ly + 4}" font-size="11">${s.name} sample → commit</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif">\n${parts.join('\n')}\n</svg>\n`;
}

function niceCeil(v: number): number {
  const step = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / step) * step;
}
