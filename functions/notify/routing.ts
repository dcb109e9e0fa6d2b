import { type Alarm, type Severity, severityRank } from '#contracts';
import type { Channels, Route } from '../../config/channels.ts';

interface Placed {
  tenantId: string;
  fieldId?: string | undefined;
  severity: Severity;
}

function covers(route: Route, alarm: Placed): boolean {
  return (
    route.tenant === alarm.tenantId &&
    (route.fields === undefined || (alarm.fieldId !== undefined && route.fields.includes(alarm.fieldId))) &&
    severityRank[alarm.severity] >= severityRank[route.minSeverity]
  );
}

/**
 * The channels an alarm event goes to: every route of its tenant that covers its
 * field, severity and transition, each channel once. A shelved or suppressed alarm
 * is not announced (ISA-18.2): only the transition into or out of that state is.
 */
export function channelsForAlarm(config: Channels, alarm: Alarm): string[] {
  const silenced = (alarm.state === 'SHELVED' || alarm.state === 'SUPPRESSED') && alarm.transition === 'raised';
  if (silenced) return [];
  const ids = config.routes.filter((r) => covers(r, alarm) && r.transitions.includes(alarm.transition)).flatMap((r) => r.channels);
  return [...new Set(ids)];
}

export interface DueEscalation {
  channelId: string;
  afterMinutes: number;
}

/** The escalation levels an alarm unacknowledged for `unacknowledgedMs` has reached, per channel. */
export function dueEscalations(config: Channels, alarm: Placed, unacknowledgedMs: number): DueEscalation[] {
  const due = new Map<string, DueEscalation>();
  for (const route of config.routes) {
    if (!covers(route, alarm)) continue;
    for (const level of route.escalate) {
      if (unacknowledgedMs < level.afterMinutes * 60_000) continue;
      for (const channelId of level.channels)
        due.set(`${channelId}\u0000${level.afterMinutes}`, { channelId, afterMinutes: level.afterMinutes });
    }
  }
  return [...due.values()];
}

/** Tenants with at least one escalation level: the only ones whose active alarms the tick reads. */
export function escalatingTenants(config: Channels): string[] {
  return [...new Set(config.routes.filter((r) => r.escalate.length > 0).map((r) => r.tenant))];
}
