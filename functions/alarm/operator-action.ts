import type { Alarm, AlarmAction } from '#contracts';
import type { AlarmPoint } from './alarm-point.ts';
import { toAlarmEvent } from './alarm-point.ts';
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
 * raise the operator saw) and the point as this alarm function knows it:
 *   now      — the same raise, or an action that names none: apply it;
 *   wait     — a raise not seen here yet (a site's action forwarded ahead of its samples);
 *   obsolete — the alarm was raised again since: acting on the new raise would be acting
 *              on something the operator never saw.
 */
export function actionTiming(point: AlarmPoint | undefined, action: AlarmAction): 'now' | 'wait' | 'obsolete' {
  if (action.raisedAt === undefined) return 'now';
  const raisedAt = point?.raisedAt;
  if (raisedAt === undefined || raisedAt < action.raisedAt) return 'wait';
  return raisedAt > action.raisedAt ? 'obsolete' : 'now';
}
