import { z } from 'zod';
import { Alarm, AuditLog, TelemetryValidated } from '#contracts';
import { type Db, defineBatchFunction, type FlowlineEvent, PermanentError } from '#runtime';
import { type CalculationResult, insertAlarms, insertAudit, insertCalculations } from './event-store.ts';
import { migrate, type StorageFlavor } from './migrate.ts';
import { insertTelemetry } from './telemetry-store.ts';

// persist needs only what every calculation result carries: whose, which well, when.
const Calculation = z.looseObject({
  tenantId: z.string().min(1),
  wellId: z.string().min(1),
  timestamp: z.number().int(),
  kind: z.string().optional(),
});

const RetentionEnv = z.object({ PERSIST_RETENTION_DAYS: z.coerce.number().int().min(1).default(365) });

/**
 * Everything worth keeping → PostgreSQL, one transaction per batch. Natural keys
 * (device, tag, time) and event ids make every write idempotent, so redelivery
 * never duplicates a row or double-counts a rollup.
 */
export default defineBatchFunction(
  {
    'scada.telemetry.validated': TelemetryValidated,
    'scada.alarms': Alarm,
    'system.audit-log': AuditLog,
    'well-testing.ipr-calculated': Calculation,
    'drilling.calculations': Calculation,
    'production.calculations': Calculation,
  },
  {
    setup: async (ctx) => {
      const { flavor, applied } = await migrate(ctx.db);
      if (applied.length > 0) ctx.log.info({ flavor, applied }, 'migrations applied');
      const { PERSIST_RETENTION_DAYS } = RetentionEnv.parse(process.env);
      await maintainPartitions(ctx.db, flavor, PERSIST_RETENTION_DAYS);
      return { flavor, retentionDays: PERSIST_RETENTION_DAYS };
    },
    handler: async (events, ctx, { flavor }) => {
      const telemetry: z.infer<typeof TelemetryValidated>[] = [];
      const alarms: FlowlineEvent<string, Alarm>[] = [];
      const audit: FlowlineEvent<string, AuditLog>[] = [];
      const calculations: FlowlineEvent<string, CalculationResult>[] = [];
      for (const event of events) {
        if (event.topic === 'scada.telemetry.validated') telemetry.push(event.data);
        else if (event.topic === 'scada.alarms') alarms.push(event);
        else if (event.topic === 'system.audit-log') audit.push(event);
        else calculations.push(event);
      }
      const stored = await withDataErrors(() =>
        ctx.db.transaction(async (tx) => ({
          telemetry: await insertTelemetry(tx, telemetry, flavor),
          alarms: await insertAlarms(tx, alarms),
          audit: await insertAudit(tx, audit),
          calculations: await insertCalculations(tx, calculations),
        })),
      );
      const rows = ctx.metrics.counter('rows_total', 'Rows stored (new) and skipped (already stored), by table.', ['table', 'result']);
      for (const [table, count, offered] of [
        ['telemetry', stored.telemetry, telemetry.length],
        ['alarm_events', stored.alarms, alarms.length],
        ['audit_log', stored.audit, audit.length],
        ['calculations', stored.calculations, calculations.length],
      ] as const) {
        rows.inc({ table, result: 'stored' }, count);
        rows.inc({ table, result: 'already-stored' }, offered - count);
      }
    },
    tick: {
      everyMs: 3_600_000,
      // Idempotent DDL, hourly: harmless on every replica, so persist needs no Redis for a tick lock.
      onEveryReplica: true,
      run: async (ctx, { flavor, retentionDays }) => maintainPartitions(ctx.db, flavor, retentionDays),
    },
  },
);

/** Native partitions: today's and the next week's exist before data arrives; older than retention are dropped. */
async function maintainPartitions(db: Db, flavor: StorageFlavor, retentionDays: number): Promise<void> {
  if (flavor !== 'native') return; // TimescaleDB creates chunks and applies retention itself
  await db.query('SELECT flowline_ensure_telemetry_partitions(current_date - 1, 9)');
  await db.query('SELECT flowline_drop_telemetry_partitions($1)', [retentionDays]);
}

/**
 * PostgreSQL's data exceptions (class 22) and constraint violations (class 23) mean
 * the batch holds data that can never be stored: permanent, so the runtime retries
 * each event alone and dead-letters the culprit. Anything else (the server away,
 * a timeout) is retried until it succeeds.
 */
async function withDataErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) {
      throw new PermanentError(`PostgreSQL rejected the data (SQLSTATE ${code}): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
