import type { ChainableCommander, Redis } from 'ioredis';
import { type Alarm, AlarmAction } from '#contracts';
import { execOrThrow } from '#runtime';

/**
 * Operators' actions waiting for the raise they name (see actionTiming):
 *   alarm:deferred                 SET   the alarm ids that have some
 *   alarm:deferred:{alarmId}       HASH  action event id → the action, kept a week at most
 *   alarm:settled:{sampleEventId}  what the sample's handling applied of them (a day), so a
 *                                  redelivery of the sample announces it again
 * Keyed by the action's event id, so a redelivered action waits once. A week outlasts the
 * edge buffer (about a day of a pad's samples): a raise that never comes here (other rules)
 * does not keep its actions for ever.
 */
export const deferredSetKey = 'alarm:deferred';
const deferredKey = (alarmId: string) => `alarm:deferred:${alarmId}`;
const keepSeconds = 7 * 24 * 3600;

export interface DeferredAction {
  eventId: string;
  action: AlarmAction;
}

export async function deferAction(redis: Redis, eventId: string, action: AlarmAction): Promise<void> {
  await execOrThrow(
    redis
      .multi()
      .hset(deferredKey(action.alarmId), eventId, JSON.stringify(action))
      .expire(deferredKey(action.alarmId), keepSeconds)
      .sadd(deferredSetKey, action.alarmId),
    `deferring an action on ${action.alarmId}`,
  );
}

/** The actions waiting on one alarm, oldest first; an entry that no longer parses is skipped (and cleared with the rest). */
export async function readDeferred(redis: Redis, alarmId: string): Promise<DeferredAction[]> {
  const hash = await redis.hgetall(deferredKey(alarmId));
  const waiting: DeferredAction[] = [];
  for (const [eventId, raw] of Object.entries(hash)) {
    const parsed = AlarmAction.safeParse(JSON.parse(raw));
    if (parsed.success) waiting.push({ eventId, action: parsed.data });
  }
  return waiting.sort((a, b) => a.action.timestamp - b.action.timestamp);
}

/** Queues the removal of actions that were applied or dropped; the alarm leaves the set once none wait. */
export function clearDeferred(multi: ChainableCommander, alarmId: string, eventIds: readonly string[], remaining: number): void {
  if (eventIds.length > 0) multi.hdel(deferredKey(alarmId), ...eventIds);
  if (remaining === 0) multi.del(deferredKey(alarmId)).srem(deferredSetKey, alarmId);
}

/** One waiting action applied: its announcement, published under the action's own event id. */
export interface SettledAction {
  eventId: string;
  alarm: Alarm;
}

/**
 * Remembers, beside what a sample announced, the waiting actions it settled: they were
 * written in the sample's transaction, so if the publish after it fails the sample is
 * redelivered, finds them already applied, and must announce them again (as writeEmitted
 * does for the sample's own transitions).
 */
export function writeSettled(multi: ChainableCommander, sampleEventId: string, settled: readonly SettledAction[]): void {
  if (settled.length > 0) multi.set(`alarm:settled:${sampleEventId}`, JSON.stringify(settled), 'EX', 86_400);
}

export async function readSettled(redis: Redis, sampleEventId: string): Promise<SettledAction[]> {
  const raw = await redis.get(`alarm:settled:${sampleEventId}`);
  return raw === null ? [] : (JSON.parse(raw) as SettledAction[]);
}
