import type { Alarm, AuditLog } from '#contracts';
import type { FlowlineEvent, Queryable } from '#runtime';

/** Alarm transitions, keyed by event id: a redelivered event changes nothing. */
export async function insertAlarms(db: Queryable, events: readonly FlowlineEvent<string, Alarm>[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map(({ id, data: a }) => ({
    event_id: id,
    alarm_id: a.alarmId,
    tenant_id: a.tenantId,
    ts: new Date(a.timestamp).toISOString(),
    transition: a.transition,
    state: a.state,
    severity: a.severity,
    condition: a.condition,
    device_id: a.deviceId,
    tag_id: a.tagId,
    field_id: a.fieldId ?? null,
    well_id: a.wellId ?? null,
    value: a.value,
    threshold: a.threshold,
    message: a.message,
    actor: a.actor ?? null,
    comment: a.comment ?? null,
    flood: a.flood ?? false,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO alarm_events
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, alarm_id text, tenant_id text, ts timestamptz, transition text,
       state text, severity text, condition text, device_id text, tag_id text, field_id text, well_id text, value double precision,
       threshold double precision, message text, actor text, comment text, flood boolean)
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}

/** A calculation result as its topic announced it; the columns are what every result carries. */
export interface CalculationResult {
  tenantId: string;
  wellId: string;
  timestamp: number;
  kind?: string | undefined;
}

export async function insertCalculations(db: Queryable, events: readonly FlowlineEvent<string, CalculationResult>[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map((e) => ({
    event_id: e.id,
    topic: e.topic,
    kind: e.data.kind ?? null,
    tenant_id: e.data.tenantId,
    well_id: e.data.wellId,
    ts: new Date(e.data.timestamp).toISOString(),
    result: e.data,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO calculations
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, topic text, kind text, tenant_id text, well_id text, ts timestamptz, result jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}

export async function insertAudit(db: Queryable, events: readonly FlowlineEvent<string, AuditLog>[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map(({ data: a }) => ({
    audit_id: a.auditId,
    ts: new Date(a.timestamp).toISOString(),
    source: a.source,
    actor_user: a.actor.userId,
    actor_role: a.actor.role,
    action: a.action,
    resource: a.resource,
    outcome: a.outcome,
    reason: a.reason ?? null,
    correlation_id: a.correlationId ?? null,
    details: a.details ?? null,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO audit_log
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(audit_id text, ts timestamptz, source text, actor_user text, actor_role text,
       action text, resource text, outcome text, reason text, correlation_id text, details jsonb)
     ON CONFLICT (audit_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}
