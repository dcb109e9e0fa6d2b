import { api } from './api.ts';
import { h, replace } from './dom.ts';
import { formatAge, formatTime, formatValue, humanize } from './format.ts';
import { applyCommandResults, type CommandResult, emit, on, serverNow, store } from './store.ts';

const statusLabel: Record<CommandResult['status'], string> = { applied: 'Applied', refused: 'Refused', failed: 'Failed' };

/**
 * The edge adapters' answers to setpoint commands, newest first: what was asked, by
 * whom, and whether it was applied, refused or failed, and why. Loaded once when shown;
 * new answers arrive on the system room (the view that mounts this subscribes to it).
 */
export function commandResultsTable(): { element: HTMLElement; reload(): Promise<void>; dispose(): void } {
  const body = h('tbody');
  const element = h(
    'table',
    { class: 'status commands', 'data-testid': 'command-results' },
    h('caption', {}, 'Command results'),
    h(
      'thead',
      {},
      h('tr', {}, ...['When', 'Device', 'Setpoint', 'Value', 'Result', 'Why', 'Asked by'].map((c) => h('th', { scope: 'col' }, c))),
    ),
    body,
  );
  const render = () => {
    const now = serverNow();
    replace(
      body,
      ...(store.commandResults.length === 0
        ? [h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No command has been answered yet.'))]
        : store.commandResults.map((r) =>
            h(
              'tr',
              { 'data-command': r.commandId, 'data-status': r.status, class: r.status === 'applied' ? '' : 'row--warn' },
              h('td', { title: formatTime(r.timestamp) }, `${formatAge(now - r.timestamp)} ago`),
              h('th', { scope: 'row' }, r.deviceId ?? r.siteId),
              h('td', {}, r.tagId ? humanize(r.tagId) : '—'),
              h('td', { class: 'num' }, r.value === undefined ? '—' : formatValue(r.value)),
              h('td', { 'data-testid': 'command-status', class: r.status === 'applied' ? '' : 'warn' }, statusLabel[r.status]),
              h('td', { 'data-testid': 'command-reason' }, r.reason),
              h('td', {}, r.requestedBy ? `${r.requestedBy.userId} (${r.requestedBy.role})` : '—'),
            ),
          )),
    );
  };
  const reload = async () => {
    const answer = await api<{ results: CommandResult[] }>('/v1/commands/results?limit=50');
    applyCommandResults(answer.results);
    emit('commands');
  };
  const off = on('commands', render);
  render();
  return { element, reload, dispose: off };
}
