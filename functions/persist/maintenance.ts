import { z } from 'zod';
import type { Db } from '#runtime';
import type { StorageFlavor } from './migrate.ts';

export const RetentionEnv = z.object({
  PERSIST_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** Rollups outlive the raw rows they summarise (trends over years), but not for ever. */
  PERSIST_ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(1).default(1825),
});
export type Retention = z.infer<typeof RetentionEnv>;

/**
 * Native partitions: today's and the next week's exist before data arrives; older than
 * retention are dropped, and so are rollup buckets and quarantined samples past theirs.
 */
export async function maintain(db: Db, flavor: StorageFlavor, retention: Retention): Promise<void> {
  await db.query('DELETE FROM telemetry_quarantine WHERE received_at < now() - make_interval(days => $1)', [
    retention.PERSIST_RETENTION_DAYS,
  ]);
  await db.query('DELETE FROM telemetry_compacted WHERE bucket < now() - make_interval(days => $1)', [
    retention.PERSIST_ROLLUP_RETENTION_DAYS,
  ]);
  if (flavor !== 'native') return; // TimescaleDB creates chunks and applies retention itself
  await db.query('SELECT flowline_ensure_telemetry_partitions(current_date - 1, 9)');
  await db.query('SELECT flowline_drop_telemetry_partitions($1)', [retention.PERSIST_RETENTION_DAYS]);
  for (const table of ['telemetry_1m', 'telemetry_1h'])
    await db.query(`DELETE FROM ${table} WHERE bucket < now() - make_interval(days => $1)`, [retention.PERSIST_ROLLUP_RETENTION_DAYS]);
}
