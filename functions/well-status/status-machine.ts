import type { DownReason, WellStatus } from '#contracts';
import { decidingTags, holdMsOf, type StatusCondition, type StatusProfile } from '../../config/well-status-rules.ts';

export interface Verdict {
  status: WellStatus;
  reason?: DownReason | undefined;
}

export interface Reading {
  value: number;
  timestamp: number;
}

/** A status change once confirmed: what the event announces. */
export interface Change extends Verdict {
  previous: Verdict | undefined;
  since: number;
  confirmedAt: number;
  values: Record<string, number>;
}

/**
 * Everything the machine remembers of a well between samples (kept in Redis as one JSON
 * value). `clock` is the newest sample time seen for the well: hold times run on it, never
 * on the wall clock, so a backlog replayed an hour late confirms what it would have live.
 */
export interface Tracking {
  tags: Record<string, Reading>;
  /** Conditions holding now, by conditionKey: the deadband needs to know which side a value came from. */
  holding: string[];
  clock: number | undefined;
  current: (Verdict & { since: number; confirmedAt: number }) | undefined;
  /** A verdict other than the current status, since when it has been the verdict, and since when the well left its status. */
  pending: (Verdict & { since: number; departedAt: number }) | undefined;
}

export const emptyTracking = (): Tracking => ({ tags: {}, holding: [], clock: undefined, current: undefined, pending: undefined });

export type Observation = { tracking: Tracking; change?: Change | undefined } | { ignored: 'late'; tracking: Tracking };

/** The samples of one well stamped with one time: an RTU's poll. Its tags are judged together. */
export interface Poll {
  timestamp: number;
  values: readonly { tagId: string; value: number }[];
}

export const conditionKey = (c: StatusCondition) => `${c.tagId}${c.above !== undefined ? `>${c.above}` : `<${c.below}`}~${c.deadband}`;

/**
 * One poll through a well's status: each tag's value is taken (only if newer than the one
 * held: a late or redelivered sample changes nothing), the profile's rules give a verdict at
 * the well's clock, and a verdict other than the status becomes the status only after it has
 * been the verdict for the hold time. The change counts from when the well left its former
 * status, so the hours per status add up whatever the hold. A well's first status waits out
 * its hold like any other: the tags of one poll arrive one by one, and the first of them alone
 * would give a verdict the next ones overturn.
 */
export function observe(profile: StatusProfile, before: Tracking, poll: Poll): Observation {
  const deciding = new Set(decidingTags(profile));
  // Only the profile's tags: one dropped from the rules since must not keep a verdict stale.
  const tags = Object.fromEntries(Object.entries(before.tags).filter(([tagId]) => deciding.has(tagId)));
  let news = false;
  for (const { tagId, value } of poll.values) {
    const held = tags[tagId];
    if (!deciding.has(tagId) || (held !== undefined && poll.timestamp <= held.timestamp)) continue;
    tags[tagId] = { value, timestamp: poll.timestamp };
    news = true;
  }
  if (!news && before.clock !== undefined && poll.timestamp <= before.clock) return { ignored: 'late', tracking: before };

  const tracking: Tracking = {
    ...before,
    tags,
    // A late value of one tag is news about that tag, not about time: the clock never runs back.
    clock: Math.max(before.clock ?? poll.timestamp, poll.timestamp),
  };
  const now = tracking.clock as number;
  const judged = judge(profile, tracking, now);
  if (!judged) return { tracking };
  tracking.holding = judged.holding;
  const verdict = judged.verdict;

  if (tracking.current && same(verdict, tracking.current)) return { tracking: { ...tracking, pending: undefined } };
  const pending =
    tracking.pending && same(tracking.pending, verdict)
      ? tracking.pending
      : { ...verdict, since: now, departedAt: tracking.pending?.departedAt ?? now };
  if (now - pending.since < holdMsOf(profile, verdict.status)) return { tracking: { ...tracking, pending } };
  return confirm(tracking, verdict, pending.departedAt, now);
}

function confirm(tracking: Tracking, verdict: Verdict, since: number, confirmedAt: number): Observation {
  const previous = tracking.current ? { status: tracking.current.status, reason: tracking.current.reason } : undefined;
  const change: Change = {
    status: verdict.status,
    reason: verdict.reason,
    previous,
    since,
    confirmedAt,
    values: Object.fromEntries(Object.entries(tracking.tags).map(([tag, r]) => [tag, r.value])),
  };
  return {
    tracking: { ...tracking, current: { status: verdict.status, reason: verdict.reason, since, confirmedAt }, pending: undefined },
    change,
  };
}

/**
 * The profile's verdict at `now`: the first rule whose conditions all hold, else `otherwise`.
 * A condition on a tag the well never reported does not hold (a well without a test flag is
 * never testing); a tag that reported but has gone stale leaves no verdict at all, so the well
 * keeps its status rather than being judged on old data.
 */
export function judge(profile: StatusProfile, tracking: Tracking, now: number): { verdict: Verdict; holding: string[] } | undefined {
  if (profile.staleAfterSeconds !== undefined) {
    const staleMs = profile.staleAfterSeconds * 1000;
    for (const reading of Object.values(tracking.tags)) if (now - reading.timestamp > staleMs) return undefined;
  }
  const wasHolding = new Set(tracking.holding);
  const holding = new Set<string>();
  const holds = (c: StatusCondition): boolean => {
    const key = conditionKey(c);
    const reading = tracking.tags[c.tagId];
    if (!reading) return false;
    const margin = wasHolding.has(key) ? c.deadband : 0;
    const on = c.above !== undefined ? reading.value > c.above - margin : reading.value < (c.below as number) + margin;
    if (on) holding.add(key);
    return on;
  };
  let verdict: Verdict | undefined;
  for (const rule of profile.rules) {
    // Every condition is evaluated, not only up to the first rule that holds, so each keeps its deadband state.
    const all = rule.when.map(holds).every(Boolean);
    if (all && !verdict) verdict = { status: rule.status, reason: rule.reason };
  }
  verdict ??= { status: profile.otherwise.status, reason: profile.otherwise.reason };
  return { verdict, holding: [...holding].sort() };
}

const same = (a: Verdict, b: Verdict) => a.status === b.status && a.reason === b.reason;
