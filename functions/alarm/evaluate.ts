import type { AlarmCondition, AlarmTransition } from '#contracts';
import type { AlarmRule } from '../../config/alarm-rules.ts';
import { type AlarmPoint, newAlarmPoint } from './alarm-point.ts';
import { conditionsOf, type LimitCondition, limitHolds, ratePerMinute } from './conditions.ts';
import { applyDelays } from './delays.ts';
import { type LifecycleInput, lifecycleStep } from './lifecycle.ts';
import { alarmMessage } from './message.ts';

export interface Placement {
  tenantId: string;
  fieldId: string | undefined;
  wellId: string | undefined;
  deviceId: string;
  tagId: string;
  /** What the operator calls the asset (the well's name, else the device id). */
  label: string;
}

export interface Evaluation {
  /** Points whose stored state changed (timers included). */
  changed: AlarmPoint[];
  /** Transitions to announce, in the order they happened. */
  transitions: { point: AlarmPoint; transition: AlarmTransition }[];
}

type Input =
  | { kind: 'sample'; value: number; timestamp: number; previous: { value: number; timestamp: number } | undefined }
  | { kind: 'silence'; lastTimestamp: number };

/**
 * Runs a tag's alarm conditions over one input: a sample (limits with deadband and
 * delays, rate of change, and the stale alarm's return) or, from the periodic tick,
 * the silence since the last sample (the stale alarm). Pure: the handler loads the
 * points, calls this, and stores what changed.
 */
export function evaluate(
  rule: AlarmRule,
  points: ReadonlyMap<AlarmCondition, AlarmPoint>,
  placement: Placement,
  input: Input,
  now: number,
): Evaluation {
  const changed: AlarmPoint[] = [];
  const transitions: Evaluation['transitions'] = [];
  for (const { condition, threshold, severity } of conditionsOf(rule)) {
    if (input.kind === 'silence' && condition !== 'STALE') continue;
    const before = points.get(condition) ?? newAlarmPoint({ ...placement, condition, severity, threshold, unit: rule.unit });
    let holds: boolean;
    let value: number;
    let onDelayMs = 0;
    let offDelayMs = 0;
    let at: number;
    if (input.kind === 'silence') {
      value = (now - input.lastTimestamp) / 1000;
      holds = value > threshold;
      at = now;
    } else if (condition === 'ROC') {
      const rate = ratePerMinute(input.previous, input.value, input.timestamp);
      value = rate ?? 0;
      holds = rate !== undefined && rate > threshold;
      // The same delays as the limits: a rate from two noisy samples must not chatter.
      onDelayMs = rule.onDelaySeconds * 1000;
      offDelayMs = rule.offDelaySeconds * 1000;
      at = input.timestamp;
    } else if (condition === 'STALE') {
      value = Math.max(0, (now - input.timestamp) / 1000);
      holds = value > threshold; // a replayed old sample does not make the tag fresh
      at = input.timestamp;
    } else {
      value = input.value;
      holds = limitHolds(condition as LimitCondition, input.value, threshold, rule.deadband, before.active);
      onDelayMs = rule.onDelaySeconds * 1000;
      offDelayMs = rule.offDelaySeconds * 1000;
      at = input.timestamp;
    }
    const delayed = applyDelays(before, holds, at, onDelayMs, offDelayMs);
    const after: AlarmPoint = { ...before, ...delayed.timers, severity, threshold, unit: rule.unit };
    let transition: AlarmTransition | undefined;
    if (delayed.change) {
      const step = lifecycleStep(before.state, delayed.timers.active, { kind: delayed.change });
      if (step) {
        transition = step.transition;
        after.state = step.state;
        after.lastTransitionAt = at;
        if (step.transition === 'raised') {
          after.raisedAt = at;
          after.acknowledgedAt = undefined;
          after.acknowledgedBy = undefined;
        }
      }
    }
    // The value shown is the one that raised the alarm, until something else happens to it.
    if (transition || !after.active) after.value = value;
    if (transition)
      after.message = alarmMessage({
        label: placement.label,
        tagId: placement.tagId,
        condition,
        transition,
        value,
        threshold,
        unit: rule.unit,
      });
    if (transition) transitions.push({ point: after, transition });
    if (transition || differs(before, after) || !points.has(condition)) changed.push(after);
  }
  return { changed, transitions };
}

/** An operator action (or a shelf running out) applied to one alarm. */
export function act(point: AlarmPoint, input: LifecycleInput, at: number): { point: AlarmPoint; transition: AlarmTransition } | undefined {
  const step = lifecycleStep(point.state, point.active, input);
  if (!step) return undefined;
  const after: AlarmPoint = { ...point, state: step.state, lastTransitionAt: at };
  if (step.state !== 'SHELVED') after.shelvedUntil = undefined;
  // Back from the shelf still active: annunciated as a new, unacknowledged alarm.
  if (step.state === 'UNACK_ACTIVE') after.raisedAt = at;
  return { point: after, transition: step.transition };
}

function differs(a: AlarmPoint, b: AlarmPoint): boolean {
  return (
    a.active !== b.active ||
    a.pendingSince !== b.pendingSince ||
    a.clearingSince !== b.clearingSince ||
    a.severity !== b.severity ||
    a.threshold !== b.threshold
  );
}
