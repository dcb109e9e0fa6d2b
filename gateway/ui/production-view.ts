import { api } from './api.ts';
import { h, replace } from './dom.ts';
import { formatTime } from './format.ts';
import type { View } from './main.ts';
import { productionCsv, type ReportForCsv } from './production-csv.ts';
import { serverNow, store } from './store.ts';

type Phase = 'oil' | 'gas' | 'water';
type Allocation = { allocated: true; fiscal: number; theoreticalTotal: number; factor: number } | { allocated: false; reason: string };

/** A field's day as GET /v1/production/daily answers it (contracts/daily-production.ts). */
interface Report extends ReportForCsv {
  start: number;
  end: number;
  utcOffsetAtStart: string;
  utcOffsetAtEnd: string;
  computedAt: number;
  revises?: { version: number; changed: string[] };
  wells: (ReportForCsv['wells'][number] & {
    measured: Partial<
      Record<Phase, { method: string; volume: number | null; uncoveredHours: number; rollovers?: number; resets?: number }>
    >;
  })[];
  fiscal: Partial<Record<Phase, { method: string; volume: number | null }>>;
  allocation: Partial<Record<Phase, Allocation>>;
}

const phases: [Phase, string][] = [
  ['oil', 'stb'],
  ['gas', 'Mscf'],
  ['water', 'bbl'],
];

const volume = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : v.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const hours = (v: number) => v.toLocaleString(undefined, { maximumFractionDigits: 2 });
const localDate = (t: number) => {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/**
 * The daily production report: for a chosen production day, each of the tenant's fields with
 * its wells' uptime, measured volumes (and how: totalizer, rate, none), test-based theoretical
 * volumes and allocated shares, the fiscal volumes and the allocation factor. A revised day
 * says which version it replaces and what changed. Exported as CSV, a line per well.
 */
export const productionView: View = (container) => {
  const date = h('input', { type: 'date', name: 'date', 'aria-label': 'Production day', value: localDate(serverNow() - 86_400_000) });
  const exportCsv = h('button', { class: 'button', type: 'button', 'data-testid': 'export-csv', disabled: true }, 'Export CSV');
  const status = h('p', { class: 'notice', role: 'status' });
  const reports = h('div', { 'data-testid': 'production-reports' });
  replace(container, h('div', { class: 'toolbar' }, h('label', {}, 'Production day ', date), exportCsv), status, reports);
  let shown: Report[] = [];
  let asked = 0;

  exportCsv.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([productionCsv(shown)], { type: 'text/csv;charset=utf-8' }));
    const link = h('a', { href: url, download: `production-${date.value}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  const fieldName = (fieldId: string) => store.assets.get(fieldId)?.name ?? fieldId;
  const wellName = (wellId: string) => store.assets.get(wellId)?.name ?? wellId;

  const table = (r: Report) => {
    const revision = r.revises
      ? h(
          'p',
          { class: 'notice', 'data-testid': 'revision' },
          `Version ${r.version}, revising version ${r.revises.version}: ${r.revises.changed.join('; ')}.`,
        )
      : null;
    const caption = `${fieldName(r.fieldId)} · ${r.day} · ${r.contractHour} ${r.timeZone} · ${hours(r.hours)} h (UTC${r.utcOffsetAtStart}${
      r.utcOffsetAtEnd !== r.utcOffsetAtStart ? ` → UTC${r.utcOffsetAtEnd}` : ''
    }) · version ${r.version}`;
    const allocationNote = phases
      .map(([phase]) => {
        const a = r.allocation[phase];
        if (!a) return null;
        return a.allocated
          ? `${phase}: fiscal ${volume(a.fiscal)} over theoretical ${volume(a.theoreticalTotal)}, factor ${a.factor.toFixed(4)}`
          : `${phase}: not allocated (${a.reason})`;
      })
      .filter((n): n is string => n !== null);
    return h(
      'section',
      { 'data-field': r.fieldId, 'data-version': r.version },
      revision,
      h(
        'table',
        { class: 'status production' },
        h('caption', {}, caption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Well'),
            h('th', { scope: 'col', class: 'num' }, 'Up h'),
            h('th', { scope: 'col', class: 'num' }, 'Down h'),
            ...phases.map(([phase, unit]) => h('th', { scope: 'col', class: 'num' }, `${phase} ${unit}`)),
            h('th', { scope: 'col', class: 'num' }, 'oil theoretical'),
            ...phases.map(([phase]) => h('th', { scope: 'col', class: 'num' }, `${phase} allocated`)),
          ),
        ),
        h(
          'tbody',
          {},
          ...r.wells.map((w) =>
            h(
              'tr',
              { 'data-well': w.wellId },
              h('th', { scope: 'row' }, wellName(w.wellId)),
              h('td', { class: 'num', 'data-testid': 'uptime' }, hours(w.uptimeHours)),
              h('td', { class: 'num' }, hours(w.hoursInStatus.down ?? 0)),
              ...phases.map(([phase]) => {
                const m = w.measured[phase];
                const note = m
                  ? `${m.method}${m.uncoveredHours > 0 ? `, ${hours(m.uncoveredHours)} h uncovered` : ''}${m.rollovers ? `, ${m.rollovers} rollover(s)` : ''}${m.resets ? `, ${m.resets} reset(s)` : ''}`
                  : 'no meter';
                return h(
                  'td',
                  { class: 'num', 'data-testid': `measured-${phase}`, 'data-method': m?.method ?? 'none', title: note },
                  volume(m?.volume),
                  m ? h('small', {}, ` ${m.method}`) : null,
                );
              }),
              h('td', { class: 'num' }, volume(w.theoretical.oil)),
              ...phases.map(([phase]) => h('td', { class: 'num', 'data-testid': `allocated-${phase}` }, volume(w.allocated[phase]))),
            ),
          ),
          h(
            'tr',
            { class: 'production__fiscal', 'data-testid': 'fiscal' },
            h('th', { scope: 'row', colspan: 3 }, 'Fiscal (sales)'),
            ...phases.map(([phase]) => h('td', { class: 'num' }, volume(r.fiscal[phase]?.volume))),
            h('td', { colspan: 4 }, h('small', { 'data-testid': 'allocation' }, allocationNote.join(' · ') || 'no fiscal meter')),
          ),
        ),
      ),
      h('p', { class: 'lead' }, `Computed ${formatTime(r.computedAt)}.`),
    );
  };

  const load = async () => {
    const day = date.value;
    const ask = ++asked;
    exportCsv.disabled = true;
    if (!day) return;
    status.textContent = 'Loading…';
    try {
      const answer = await api<{ reports: Report[] }>(`/v1/production/daily?date=${encodeURIComponent(day)}`);
      if (ask !== asked) return; // another day was chosen meanwhile
      shown = answer.reports;
      status.textContent = shown.length === 0 ? `No report for ${day} yet: a day is reported once it has ended.` : '';
      replace(reports, ...shown.map(table));
      exportCsv.disabled = shown.length === 0;
    } catch (error) {
      if (ask !== asked) return;
      shown = [];
      replace(reports);
      status.textContent = `Cannot read the production of ${day}: ${(error as Error).message}`;
    }
  };
  date.addEventListener('change', () => void load());
  void load();
  return () => {
    asked++;
  };
};
