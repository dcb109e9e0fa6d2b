import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditOutcome } from '#contracts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { gatewaySource, type OutgoingEvent } from '../bus/event-publisher.ts';

export interface AuditFact {
  principal: Pick<Principal, 'id' | 'role' | 'tenantId'>;
  /** Dotted lower-case words, e.g. alarm.acknowledge. */
  action: string;
  resource: string;
  outcome: AuditOutcome;
  reason?: string | undefined;
  correlationId?: string | undefined;
  details?: Record<string, string | number | boolean | null> | undefined;
}

/**
 * The `system.audit-log` event of one fact, keyed by tenant. Writes publish it in the
 * same call as the event they audit, so the bus acknowledges both or the caller hears
 * of a failure.
 */
export function auditEvent(fact: AuditFact, now: number): OutgoingEvent {
  const entry: AuditLog = {
    auditId: randomUUID(),
    timestamp: now,
    source: gatewaySource,
    actor: actorOf(fact.principal as Principal),
    action: fact.action,
    resource: fact.resource.slice(0, 512),
    outcome: fact.outcome,
    ...(fact.reason ? { reason: fact.reason.slice(0, 1000) } : {}),
    ...(fact.correlationId ? { correlationId: fact.correlationId.slice(0, 128) } : {}),
    details: { tenantId: fact.principal.tenantId, ...fact.details },
  };
  return { topic: 'system.audit-log', key: fact.principal.tenantId, data: entry, id: entry.auditId };
}
