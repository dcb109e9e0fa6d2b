import { z } from 'zod';
import { Alarm, AuditLog, CompactedMinuteValidated, TelemetryValidated, WellStatusChanged } from '#contracts';
import { defineBatchFunction, type FlowlineEvent } from '#runtime';
import { insertCompactedMinutes } from './compacted-store.ts';
import { withDataErrors } from './data-errors.ts';
import { type CalculationResult, insertAlarms, insertAudit, insertCalculations } from './event-store.ts';
import { maintain, RetentionEnv } from './maintenance.ts';
import { migrate } from './migrate.ts';
import { insertTelemetry, isClockSkewed, quarantineTelemetry } from './telemetry-store.ts';
import { insertWellStatusChanges } from './well-status-store.ts';

// persist needs only what every calculation result carries: whose, which well, when.
const Calculation = z.looseObject({
  tenantId: z.string().min(1),
  wellId: z.string().min(1),
  timestamp: z.number().int(),
  kind: z.string().optional(),
});

/**
 * Everything worth keeping → PostgreSQL, one transaction per batch. Natural keys
 * (device, tag, time) and event ids make every write idempotent, so redelivery
 * never duplicates a row or double-counts a rollup.
 */
export default defineBatchFunction(
  {
    'scada.telemetry.validated': TelemetryValidated,
    'scada.telemetry.compacted.validated': CompactedMinuteValidated,
    'scada.alarms': Alarm,
    'system.audit-log': AuditLog,
    'well-testing.ipr-calculated': Calculation,
    'drilling.calculations': Calculation,
    'production.calculations': Calculation,
    'production.well-status-changed': WellStatusChanged,
  },
  {
    setup: async (ctx) => {
      const { flavor, applied } = await migrate(ctx.db);
      if (applied.length > 0) ctx.log.info({ flavor, applied }, 'migrations applied');
      const retention = RetentionEnv.parse(process.env);
      // Maintenance must never keep persist from starting: the hourly tick tries again.
      await maintain(ctx.db, flavor, retention).catch((err) =>
        ctx.log.error({ err }, 'partition maintenance failed at start-up; storing anyway, retrying hourly'),
      );
      return { flavor, retention };
    },
    handler: async (events, ctx, { flavor }) => {
      const telemetry: z.infer<typeof TelemetryValidated>[] = [];
      const quarantined: z.infer<typeof TelemetryValidated>[] = [];
      const minutes: CompactedMinuteValidated[] = [];
      const alarms: FlowlineEvent<string, Alarm>[] = [];
      const audit: FlowlineEvent<string, AuditLog>[] = [];
      const calculations: FlowlineEvent<string, CalculationResult>[] = [];
      const statuses: FlowlineEvent<string, WellStatusChanged>[] = [];
      for (const event of events) {
        if (event.topic === 'scada.telemetry.validated') (isClockSkewed(event.data) ? quarantined : telemetry).push(event.data);
        else if (event.topic === 'scada.telemetry.compacted.validated') minutes.push(event.data);
        else if (event.topic === 'scada.alarms') alarms.push(event);
        else if (event.topic === 'system.audit-log') audit.push(event);
        else if (event.topic === 'production.well-status-changed') statuses.push(event);
        else calculations.push(event);
      }
      const stored = await withDataErrors(() =>
        ctx.db.transaction(async (tx) => ({
          telemetry: await insertTelemetry(tx, telemetry, flavor),
          quarantined: await quarantineTelemetry(tx, quarantined),
          minutes: await insertCompactedMinutes(tx, minutes, flavor),
          alarms: await insertAlarms(tx, alarms),
          audit: await insertAudit(tx, audit),
          calculations: await insertCalculations(tx, calculations),
          statuses: await insertWellStatusChanges(tx, statuses),
        })),
      );
      const rows = ctx.metrics.counter('rows_total', 'Rows stored (new) and skipped (already stored), by table.', ['table', 'result']);
      for (const [table, count, offered] of [
        ['telemetry', stored.telemetry, telemetry.length],
        ['telemetry_quarantine', stored.quarantined, quarantined.length],
        ['telemetry_compacted', stored.minutes, minutes.length],
        ['alarm_events', stored.alarms, alarms.length],
        ['audit_log', stored.audit, audit.length],
        ['calculations', stored.calculations, calculations.length],
        ['well_status_changes', stored.statuses, statuses.length],
      ] as const) {
        rows.inc({ table, result: 'stored' }, count);
        rows.inc({ table, result: 'already-stored' }, offered - count);
      }
    },
    tick: {
      everyMs: 3_600_000,
      // Idempotent DDL, hourly: harmless on every replica, so persist needs no Redis for a tick lock.
      onEveryReplica: true,
      run: async (ctx, { flavor, retention }) => maintain(ctx.db, flavor, retention),
    },
  },
);
