import { api, currentSession } from './api.ts';
import { commandResultsTable } from './command-results-table.ts';
import { h, replace } from './dom.ts';
import { formatAge, formatCount, formatRate } from './format.ts';
import type { View } from './main.ts';
import { on, serverNow, store } from './store.ts';

interface FunctionStatus {
  name: string;
  lag: number | null;
  replicas: { current: number | null; desired: number | null; min: number; max: number };
  throughputPerSecond: number | null;
  errorsPerSecond: number | null;
  deadLetters: number | null;
  error?: string;
}

interface EdgeSite {
  site: string;
  status: string;
  error?: string;
  devices: { id: string; protocol: string; state: string; lastError?: string }[];
  buffer?: { depth: number; capacity: number; dropped: number; oldestSampleAt: string | null };
  sink?: { state: string; lastError?: string };
}

interface StatusBoard {
  functions: FunctionStatus[];
  edge: EdgeSite[];
}

const dash = '—';
const rate = (n: number | null | undefined) => (n === null || n === undefined ? dash : formatRate(n));
const count = (n: number | null | undefined) => (n === null || n === undefined ? dash : formatCount(n));

/**
 * The machinery: each function's replicas, consumer lag, throughput, errors and dead
 * letters; each edge adapter's device connections and store-and-forward buffer; the
 * edge's answers to commands; how many devices have a wrong clock (their samples are
 * quarantined), linked to the screen that lists them. The gateway pushes the board on the
 * `system:{tenant}` room every few seconds, and each command result as it comes.
 */
export const statusView: View = (container, link) => {
  const functions = h('tbody');
  const edge = h('tbody');
  const commands = commandResultsTable();
  const clocks = h('span', { 'data-testid': 'clock-summary' }, 'Device clocks: checking…');
  replace(
    container,
    h('p', { class: 'toolbar' }, clocks, h('a', { href: '#/clocks', class: 'button', 'data-testid': 'clocks-link' }, 'Device clocks')),
    h(
      'table',
      { class: 'status', 'data-testid': 'functions' },
      h('caption', {}, 'Functions'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Function', 'Replicas', 'Scale (min–max)', 'Consumer lag', 'Throughput /s', 'Errors /s', 'Dead letters'].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      functions,
    ),
    h(
      'table',
      { class: 'status', 'data-testid': 'edge' },
      h('caption', {}, 'Edge adapters'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Site', 'Link', 'Devices connected', 'Buffer', 'Oldest buffered', 'Dropped'].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      edge,
    ),
    commands.element,
  );

  const render = () => {
    const board = store.status as StatusBoard | undefined;
    if (!board) return;
    replace(
      functions,
      ...board.functions.map((f) =>
        h(
          'tr',
          { 'data-function': f.name, class: f.error ? 'row--warn' : '' },
          h('th', { scope: 'row' }, f.name),
          h(
            'td',
            { class: 'num' },
            f.replicas.current === null ? dash : String(f.replicas.current),
            f.replicas.desired === null ? '' : ` → ${f.replicas.desired}`,
          ),
          h('td', { class: 'num' }, `${f.replicas.min}–${f.replicas.max}`),
          h('td', { class: 'num', 'data-testid': 'lag' }, f.error ? `unreadable: ${f.error}` : count(f.lag)),
          h('td', { class: 'num' }, rate(f.throughputPerSecond)),
          h('td', { class: `num${(f.errorsPerSecond ?? 0) > 0 ? ' warn' : ''}` }, rate(f.errorsPerSecond)),
          h('td', { class: `num${(f.deadLetters ?? 0) > 0 ? ' warn' : ''}` }, count(f.deadLetters)),
        ),
      ),
    );
    const now = serverNow();
    replace(
      edge,
      ...(board.edge.length === 0
        ? [h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No edge adapter is configured for this tenant.'))]
        : board.edge.map((site) => {
            const connected = site.devices.filter((d) => d.state === 'connected').length;
            return h(
              'tr',
              { 'data-site': site.site, class: site.status === 'ok' ? '' : 'row--warn' },
              h('th', { scope: 'row' }, site.site),
              h('td', {}, site.status === 'unreachable' ? `unreachable: ${site.error ?? ''}` : (site.sink?.state ?? site.status)),
              h(
                'td',
                { class: 'num', title: site.devices.map((d) => `${d.id}: ${d.state}${d.lastError ? ` (${d.lastError})` : ''}`).join('\n') },
                `${connected} / ${site.devices.length}`,
              ),
              h('td', { class: 'num' }, site.buffer ? `${site.buffer.depth} / ${site.buffer.capacity}` : dash),
              h('td', {}, site.buffer?.oldestSampleAt ? formatAge(now - Date.parse(site.buffer.oldestSampleAt)) : dash),
              h('td', { class: 'num' }, site.buffer ? String(site.buffer.dropped) : dash),
            );
          })),
    );
  };

  const load = async () => {
    const [f, e] = await Promise.all([
      api<{ functions: FunctionStatus[] }>('/v1/status/functions'),
      api<{ sites: EdgeSite[] }>('/v1/status/edge'),
      commands.reload(),
    ]);
    store.status = { functions: f.functions, edge: e.sites } satisfies StatusBoard;
    render();
  };
  // Once per visit: the quarantine changes when a device's clock does, not every few seconds.
  api<{ devices: unknown[] }>('/v1/telemetry/quarantine?limit=1')
    .then(({ devices }) => {
      clocks.textContent =
        devices.length === 0
          ? 'Device clocks: all within bounds (last 7 days).'
          : `Device clocks: ${devices.length} ${devices.length === 1 ? 'device has' : 'devices have'} a wrong clock; their samples are kept out of history.`;
      clocks.className = devices.length === 0 ? '' : 'warn';
    })
    .catch((err: unknown) => {
      clocks.textContent = `Device clocks: cannot tell (${(err as Error).message}).`;
    });
  const room = `system:${currentSession()?.user.tenantId ?? ''}`;
  link.subscribe(room, () => void load().catch((err: unknown) => console.warn(err)));
  const off = on('status', render);
  render();
  return () => {
    off();
    commands.dispose();
    link.unsubscribe(room);
  };
};
