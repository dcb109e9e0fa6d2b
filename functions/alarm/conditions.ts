import type { AlarmCondition } from '#contracts';
import type { AlarmRule } from '../../config/alarm-rules.ts';

export type LimitCondition = 'HH' | 'H' | 'L' | 'LL';
const high = new Set<AlarmCondition>(['HH', 'H']);

/**
 * Whether a limit condition holds for a value, with hysteresis: a high alarm begins
 * strictly above its limit and, once active, holds until the value is strictly below
 * limit − deadband; a low alarm mirrors it. Without the deadband a value hovering at
 * the limit would raise and clear an alarm on every sample (chattering).
 */
export function limitHolds(condition: LimitCondition, value: number, limit: number, deadband: number, active: boolean): boolean {
  if (high.has(condition)) return active ? value >= limit - deadband : value > limit;
  return active ? value <= limit + deadband : value < limit;
}

/** Rate of change in units per minute between two samples; undefined when time did not advance. */
export function ratePerMinute(
  previous: { value: number; timestamp: number } | undefined,
  value: number,
  timestamp: number,
): number | undefined {
  if (!previous || timestamp <= previous.timestamp) return undefined;
  return (Math.abs(value - previous.value) / (timestamp - previous.timestamp)) * 60_000;
}

/** The alarm conditions a rule defines, each with its severity and threshold. */
export function conditionsOf(rule: AlarmRule): { condition: AlarmCondition; threshold: number; severity: AlarmRule['severities']['HH'] }[] {
  const out: ReturnType<typeof conditionsOf> = [];
  for (const condition of ['HH', 'H', 'L', 'LL'] as const) {
    const limit = rule.limits[condition];
    if (limit !== undefined) out.push({ condition, threshold: limit, severity: rule.severities[condition] });
  }
  if (rule.rateOfChange) out.push({ condition: 'ROC', threshold: rule.rateOfChange.maxPerMinute, severity: rule.rateOfChange.severity });
  if (rule.stale) out.push({ condition: 'STALE', threshold: rule.stale.afterSeconds, severity: rule.stale.severity });
  return out;
}
