import type { Alarm, AlarmAction } from '#contracts';
import type { AlarmPoint } from './alarm-point.ts';
import { toAlarmEvent } from './alarm-point.ts';
import type { DeferredAction } from './deferred-actions.ts';
import { act } from './evaluate.ts';
import type { LifecycleInput } from './lifecycle.ts';

/**
 * An operator's action on one alarm point, at the time the operator took it: the point
 * after it and the transition to announce, or undefined when it changes nothing in the
 * point's state (acknowledging what is already acknowledged).
 */
export function applyOperatorAction(point: AlarmPoint, action: AlarmAction): { point: AlarmPoint; alarm: Alarm } | undefined {
  const result = act(point, { kind: action.action } as LifecycleInput, action.timestamp);
  if (!result) return undefined;
  if (action.action === 'shelve') result.point.shelvedUntil = action.timestamp + (action.durationSeconds ?? 0) * 1000;
  if (action.action === 'acknowledge') {
    result.point.acknowledgedAt = action.timestamp;
    result.point.acknowledgedBy = action.actor;
  }
  const alarm = toAlarmEvent(result.point, result.transition, action.timestamp, {
    actor: action.actor,
    ...(action.comment ? { comment: action.comment } : {}),
  });
  return { point: result.point, alarm };
}

/**
 * Where an action stands against the raise it names (`raisedAt`, the sample time of the
 * raise the operator saw), the point as this alarm function knows it, and how far this
 * function has evaluated the tag's samples (`seenUntil`):
 *   now      — the same raise, an action that names none, or the tag evaluated past that
 *              moment without raising again (this function's alarm was already up then,
 *              or never came up: the operator acted on what it is now);
 *   wait     — a moment of the tag not evaluated here yet (a site's action forwarded ahead
 *              of its samples);
 *   obsolete — the alarm was raised again since: acting on the new raise would be acting
 *              on something the operator never saw.
 */
export function actionTiming(point: AlarmPoint | undefined, action: AlarmAction, seenUntil?: number): 'now' | 'wait' | 'obsolete' {
  if (action.raisedAt === undefined) return 'now';
  const raisedAt = point?.raisedAt;
  if (raisedAt !== undefined && raisedAt > action.raisedAt) return 'obsolete';
  if (raisedAt === action.raisedAt) return 'now';
  return seenUntil !== undefined && seenUntil >= action.raisedAt ? 'now' : 'wait';
}

export interface Settled {
  point: AlarmPoint | undefined;
  /** Applied, in the order the operators acted, each to announce under its own event id. */
  applied: { eventId: string; alarm: Alarm }[];
  /** Applied or dropped: to clear from the waiting list. */
  done: string[];
  dropped: { eventId: string; action: AlarmAction; why: string }[];
  waiting: DeferredAction[];
}

/** The waiting actions on one point once the tag is evaluated up to `seenUntil`, oldest first. */
export function settleWaiting(point: AlarmPoint | undefined, waiting: readonly DeferredAction[], seenUntil: number): Settled {
  const settled: Settled = { point, applied: [], done: [], dropped: [], waiting: [] };
  for (const entry of waiting) {
    const { eventId, action } = entry;
    const timing = actionTiming(settled.point, action, seenUntil);
    if (timing === 'wait') {
      settled.waiting.push(entry);
      continue;
    }
    settled.done.push(eventId);
    const current = settled.point;
    const why =
      timing === 'obsolete'
        ? 'the alarm was raised again since the raise it names'
        : !current
          ? 'no such alarm here'
          : current.tenantId !== action.tenantId
            ? `the alarm does not belong to tenant "${action.tenantId}"`
            : undefined;
    const result = current && why === undefined ? applyOperatorAction(current, action) : undefined;
    if (!result) {
      settled.dropped.push({ eventId, action, why: why ?? `it changes nothing in state ${current?.state}` });
      continue;
    }
    settled.point = result.point;
    settled.applied.push({ eventId, alarm: result.alarm });
  }
  return settled;
}
