import type { TelemetryValidated } from '#contracts';
import type { Queryable } from '#runtime';
import type { StorageFlavor } from './migrate.ts';

// One statement per batch: the rows travel as one typed array per column (unnest), the same
// on pg and the embedded PGlite; conflicts on the natural key are skipped, and the rollups
// are fed only from rows this statement actually inserted. 5 min spans read the 1 min
// rollup (migration 008), so only 1 min and 1 h are kept up here.
const input = `unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[], $5::int2[], $6::text[], $7::text[],
  $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
  AS x(device_id, tag_id, ts, value, quality, status, flags, unit, tenant_id, field_id, well_id, source_protocol, received_at)`;

const rollup = (table: string, width: string) => `
  ${table} AS (
    INSERT INTO ${table} AS r (device_id, tag_id, bucket, tenant_id, well_id, count, sum, min, max)
    SELECT device_id, tag_id, date_bin('${width}', ts, TIMESTAMPTZ '2000-01-01'), min(tenant_id), min(well_id), count(*), sum(value), min(value), max(value)
    FROM good GROUP BY 1, 2, 3
    ON CONFLICT (device_id, tag_id, bucket) DO UPDATE SET
      count = r.count + EXCLUDED.count, sum = r.sum + EXCLUDED.sum,
      min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max)
    RETURNING 1)`;

const insertSql = (flavor: StorageFlavor) => `
  WITH inserted AS (
    INSERT INTO telemetry (device_id, tag_id, ts, value, quality, status, flags, unit, tenant_id, field_id, well_id, source_protocol, received_at)
    SELECT device_id, tag_id, ts, value, quality, status, flags::text[], unit, tenant_id, field_id, well_id, source_protocol, received_at FROM ${input}
    ON CONFLICT DO NOTHING
    RETURNING device_id, tag_id, ts, value, status, tenant_id, well_id)
  ${
    flavor === 'native'
      ? `, good AS (SELECT * FROM inserted WHERE status <> 'bad'),
    ${rollup('telemetry_1m', '1 minute')},
    ${rollup('telemetry_1h', '1 hour')}`
      : ''
  }
  SELECT count(*)::int AS inserted FROM inserted`;

const quarantineSql = `
  INSERT INTO telemetry_quarantine (device_id, tag_id, ts, value, quality, flags, tenant_id, well_id, source_protocol, received_at)
  SELECT device_id, tag_id, ts, value, quality, flags::text[], tenant_id, well_id, source_protocol, received_at FROM ${input}
  ON CONFLICT DO NOTHING`;

/** A sample whose timestamp cannot be right: quarantined, never history (it would sit in no partition and in every chart). */
export const isClockSkewed = (s: TelemetryValidated): boolean => s.flags.includes('clock-skew');

/** Stores samples validate found clock-skewed; returns how many were new. */
export async function quarantineTelemetry(db: Queryable, samples: readonly TelemetryValidated[]): Promise<number> {
  if (samples.length === 0) return 0;
  const { rowCount } = await db.query(quarantineSql, columnsOf(samples));
  return rowCount;
}

/** Stores validated samples; returns how many were new (the rest were already stored). */
export async function insertTelemetry(db: Queryable, samples: readonly TelemetryValidated[], flavor: StorageFlavor): Promise<number> {
  if (samples.length === 0) return 0;
  const { rows: result } = await db.query<{ inserted: number }>(insertSql(flavor), columnsOf(samples));
  return result[0]?.inserted ?? 0;
}

/** The samples as one array per column, in the order of `input`; flags as array literals (unnest takes no ragged arrays). */
function columnsOf(samples: readonly TelemetryValidated[]): unknown[][] {
  const column = <T>(pick: (s: TelemetryValidated) => T): T[] => samples.map(pick);
  return [
    column((s) => s.deviceId),
    column((s) => s.tagId),
    column((s) => new Date(s.timestamp).toISOString()),
    column((s) => s.value),
    column((s) => s.quality),
    column((s) => s.status),
    // Flags are enum words ([a-z-]): nothing to quote inside the literal.
    column((s) => `{${s.flags.join(',')}}`),
    column((s) => s.unit ?? null),
    column((s) => s.tenantId),
    column((s) => s.fieldId ?? null),
    column((s) => s.wellId ?? null),
    column((s) => s.sourceProtocol),
    column((s) => new Date(s.receivedAt).toISOString()),
  ];
}
