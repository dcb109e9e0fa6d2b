import { api, currentSession } from './api.ts';
import { h, replace } from './dom.ts';
import { formatTime, humanize } from './format.ts';
import type { View } from './main.ts';
import { serverNow } from './store.ts';

interface AuditEntry {
  auditId: string;
  timestamp: number;
  tenantId: string | null;
  source: string;
  actor: { userId: string; role: string };
  action: string;
  resource: string;
  outcome: 'success' | 'refused' | 'failure';
  reason: string | null;
  correlationId: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

const week = 7 * 86_400_000;
const spans = [
  { label: '24 h', ms: 86_400_000 },
  { label: '7 days', ms: week },
  { label: '30 days', ms: 30 * 86_400_000 },
];
const pageSize = 50;

/**
 * The audit trail from GET /v1/audit: who did what to which resource and how it ended,
 * newest first, filtered by who, action (or its first words), resource and outcome over
 * a span. Administrators see every tenant, supervisors their own (the gateway decides).
 */
export const auditView: View = (container) => {
  const input = (name: string, label: string, placeholder: string) =>
    h('input', { name, 'aria-label': label, placeholder, autocomplete: 'off', spellcheck: false, maxlength: 128 });
  const actor = input('actor', 'Who', 'who (user name)');
  const action = input('action', 'Action', 'action, e.g. alarm or auth.sign-in');
  const resource = input('resource', 'Resource', 'resource starts with');
  const outcome = h(
    'select',
    { name: 'outcome', 'aria-label': 'Outcome' },
    h('option', { value: '' }, 'any outcome'),
    ...['success', 'refused', 'failure'].map((o) => h('option', { value: o }, o)),
  );
  const span = h('select', { name: 'span', 'aria-label': 'Span' }, ...spans.map((s, i) => h('option', { value: String(i) }, s.label)));
  span.value = '1';
  const form = h(
    'form',
    { class: 'toolbar audit__filters', 'aria-label': 'Filter the audit trail' },
    actor,
    action,
    resource,
    outcome,
    span,
    h('button', { type: 'submit', class: 'button button--primary' }, 'Show'),
  );
  const status = h('p', { class: 'notice', role: 'status' });
  const showTenant = currentSession()?.user.role === 'admin';
  const columns = ['Time', 'Who', 'Action', 'Resource', 'Outcome', 'Why / details', ...(showTenant ? ['Tenant'] : [])];
  const rows = h('tbody');
  const older = h('button', { type: 'button', class: 'button', hidden: true }, 'Older entries');
  replace(
    container,
    h(
      'p',
      { class: 'lead' },
      'Who did what, to which resource, and how it ended: sign-ins, alarm actions, commands, configuration changes.',
    ),
    form,
    status,
    h(
      'table',
      { class: 'status audit', 'data-testid': 'audit-entries' },
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      rows,
    ),
    older,
  );

  const detailsOf = (e: AuditEntry) => {
    const details = Object.entries(e.details ?? {})
      .filter(([k]) => k !== 'tenantId')
      .map(([k, v]) => `${k}: ${v}`);
    return [e.reason, e.correlationId ? `ref ${e.correlationId}` : null, ...details].filter(Boolean).join(' · ');
  };
  const rowOf = (e: AuditEntry) =>
    h(
      'tr',
      { 'data-audit': e.auditId, 'data-action': e.action, 'data-outcome': e.outcome, class: e.outcome === 'success' ? '' : 'row--warn' },
      h('td', {}, formatTime(e.timestamp)),
      h('th', { scope: 'row', 'data-testid': 'actor' }, `${e.actor.userId} · ${e.actor.role}`),
      h('td', { title: e.action }, humanize(e.action)),
      h('td', { class: 'audit__resource' }, e.resource),
      h('td', { class: e.outcome === 'success' ? '' : 'warn', 'data-testid': 'outcome' }, e.outcome),
      h('td', { class: 'audit__details', title: e.source }, detailsOf(e)),
      showTenant ? h('td', {}, e.tenantId ?? '—') : null,
    );

  let generation = 0;
  const load = async (cursor: string | null) => {
    const mine = ++generation; // a newer search wins over a slow older one
    const query = new URLSearchParams({ limit: String(pageSize) });
    for (const [name, value] of [
      ['actor', actor.value.trim()],
      ['action', action.value.trim().toLowerCase()],
      ['resource', resource.value.trim()],
      ['outcome', outcome.value],
    ] as const)
      if (value) query.set(name, value);
    // Up to a minute past the gateway's now: a fact stored an instant ago is included.
    const to = serverNow() + 60_000;
    query.set('to', String(to));
    query.set('from', String(to - (spans[Number(span.value)]?.ms ?? week)));
    if (cursor) query.set('cursor', cursor);
    status.textContent = 'Loading…';
    try {
      const page = await api<AuditPage>(`/v1/audit?${query}`);
      if (mine !== generation) return;
      if (!cursor) rows.replaceChildren();
      rows.append(...page.entries.map(rowOf));
      if (rows.childElementCount === 0) rows.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, 'Nothing matches.')));
      status.textContent = '';
      older.hidden = page.nextCursor === null;
      older.onclick = () => void load(page.nextCursor);
    } catch (error) {
      if (mine === generation) status.textContent = `Cannot read the audit trail: ${(error as Error).message}`;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(null);
  });
  void load(null);
  return () => {
    generation += 1;
  };
};
