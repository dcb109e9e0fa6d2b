import type { Alarm } from '#contracts';
import type { ActiveAlarm } from './active-alarms.ts';
import type { Digest } from './digest.ts';

/**
 * Something to tell a channel. `id` is stable across redeliveries and replicas (the
 * alarm event's id, or derived from the alarm and level), so the delivery ledger and
 * a receiver can both recognise a repeat.
 */
export type Notification =
  | { kind: 'alarm'; id: string; tenantId: string; alarm: Alarm }
  | { kind: 'escalation'; id: string; tenantId: string; alarm: ActiveAlarm; afterMinutes: number; unacknowledgedMs: number }
  | { kind: 'summary'; id: string; tenantId: string; digest: Digest; since: number; until: number };

/** Once per alarm, per raise (an alarm raised again is a new occurrence), per level. */
export const escalationId = (alarm: ActiveAlarm, afterMinutes: number): string =>
  `escalation:${alarm.alarmId}:${alarm.raisedAt}:${afterMinutes}`;

export const alarmIdOf = (n: Notification): string | undefined => (n.kind === 'summary' ? undefined : n.alarm.alarmId);
