import { api } from './api.ts';
import { h, replace, setText } from './dom.ts';
import { formatAge, humanize } from './format.ts';
import { enterStatus, type StatusStretch, serverNow, store, type WellStatusName, type WellStatusState } from './store.ts';

interface StatusAnswer {
  current: { status: WellStatusName; reason?: string; since: number } | null;
  timeline: StatusStretch[];
}

/** Midnight of the operator's (browser's) day: the timeline shows today. */
export function startOfToday(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/**
 * Loads a well's current status and today's timeline from GET /v1/wells/{wellId}/status into
 * the store; live `well:status` events keep both current afterwards (applyWellStatusChange).
 */
export async function loadWellStatus(wellId: string): Promise<void> {
  const from = startOfToday(serverNow());
  const answer = await api<StatusAnswer>(`/v1/wells/${encodeURIComponent(wellId)}/status?from=${from}`);
  const known = store.wellStatuses.get(wellId);
  const state: WellStatusState = { current: undefined, from, timeline: answer.timeline.map((s) => ({ ...s })) };
  // The current status is Redis's, written before persist may have stored it: the timeline ends in it.
  if (answer.current) enterStatus(state, { status: answer.current.status, reason: answer.current.reason, from: answer.current.since });
  else state.current = state.timeline.at(-1);
  // A live change that came while the request was out is newer than the answer: it is kept.
  if (known?.current && (!state.current || known.current.from > state.current.from)) enterStatus(state, known.current);
  store.wellStatuses.set(wellId, state);
}

const reasonText: Record<string, string> = { 'esp-trip': 'ESP trip', 'ssv-closed': 'SSV closed', 'no-flow': 'no flow' };

/** "Down · ESP trip", "Shut in", "Producing". */
export function statusText(s: Pick<StatusStretch, 'status' | 'reason'>): string {
  const name = s.status === 'shut-in' ? 'Shut in' : humanize(s.status);
  return s.reason ? `${name} · ${reasonText[s.reason] ?? s.reason}` : name;
}

const clock = (ms: number) => new Date(ms).toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit' });

/**
 * A well's status line on its card: the status with its reason and since when (and for how
 * long), and below it the day's timeline, one coloured stretch per status, from midnight to now.
 */
export function statusStrip() {
  const chip = h('span', { class: 'well-status', 'data-testid': 'well-status' }, '…');
  const since = h('span', { class: 'well-status__since', 'data-testid': 'status-since' });
  const bar = h('div', { class: 'timeline', 'data-testid': 'status-timeline', role: 'img' });
  const element = h('div', { class: 'well-status-strip' }, h('div', { class: 'well-status-line' }, chip, since), bar);
  let drawn = '';

  const update = (wellId: string) => {
    const state = store.wellStatuses.get(wellId);
    const now = serverNow();
    if (!state?.current) {
      setText(chip, state ? 'No status yet' : '…');
      chip.dataset.status = 'unknown';
      setText(since, '');
      return;
    }
    setText(chip, statusText(state.current));
    chip.dataset.status = state.current.status;
    setText(since, `since ${clock(state.current.from)} (${formatAge(now - state.current.from)})`);
    // Stretch widths move with the clock: redrawn once a minute, or when the timeline changes.
    const key = `${JSON.stringify(state.timeline)}|${Math.floor(now / 60_000)}`;
    if (key === drawn) return;
    drawn = key;
    const span = Math.max(1, now - state.from);
    const stretches = state.timeline.map((s) => {
      const from = Math.max(s.from, state.from);
      const to = Math.min(s.to ?? now, now);
      const label = `${statusText(s)} ${clock(from)}–${s.to === undefined ? 'now' : clock(to)}`;
      const stretch = h('span', { class: 'timeline__stretch', 'data-status': s.status, title: label, 'aria-label': label });
      // Through the CSSOM: the Content-Security-Policy refuses style attributes, not style properties.
      // Placed from the right (now): a stretch of a few minutes, widened to its minimum, stays inside the bar.
      stretch.style.right = `${(((now - to) / span) * 100).toFixed(3)}%`;
      stretch.style.width = `${((Math.max(0, to - from) / span) * 100).toFixed(3)}%`;
      return stretch;
    });
    bar.setAttribute('aria-label', `Today: ${stretches.map((s) => s.title).join(', ') || 'no status yet'}`);
    replace(bar, ...stretches);
  };
  return { element, update };
}
