import type { TelemetryValidated } from '#contracts';
import type { Queryable } from '#runtime';
import type { StorageFlavor } from './migrate.ts';

const columns = `device_id text, tag_id text, ts timestamptz, value double precision, quality smallint, status text, flags text[],
  unit text, tenant_id text, field_id text, well_id text, source_protocol text, received_at timestamptz`;

// One statement per batch: the rows travel as one JSON parameter (the same on pg and
// the embedded PGlite), conflicts on the natural key are skipped, and the rollups
// are fed only from rows this statement actually inserted.
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
  WITH input AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${columns})),
  inserted AS (
    INSERT INTO telemetry (device_id, tag_id, ts, value, quality, status, flags, unit, tenant_id, field_id, well_id, source_protocol, received_at)
    SELECT device_id, tag_id, ts, value, quality, status, coalesce(flags, '{}'), unit, tenant_id, field_id, well_id, source_protocol, received_at FROM input
    ON CONFLICT DO NOTHING
    RETURNING device_id, tag_id, ts, value, status, tenant_id, well_id)
  ${
    flavor === 'native'
      ? `, good AS (SELECT * FROM inserted WHERE status <> 'bad'),
    ${rollup('telemetry_1m', '1 minute')},
    ${rollup('telemetry_5m', '5 minutes')},
    ${rollup('telemetry_1h', '1 hour')}`
      : ''
  }
  SELECT count(*)::int AS inserted FROM inserted`;

const quarantineSql = `
  INSERT INTO telemetry_quarantine (device_id, tag_id, ts, value, quality, flags, tenant_id, well_id, source_protocol, received_at)
  SELECT device_id, tag_id, ts, value, quality, coalesce(flags, '{}'), tenant_id, well_id, source_protocol, received_at
  FROM jsonb_to_recordset($1::jsonb) AS x(${columns})
  ON CONFLICT DO NOTHING`;

/** A sample whose timestamp cannot be right: quarantined, never history (it would sit in no partition and in every chart). */
export const isClockSkewed = (s: TelemetryValidated): boolean => s.flags.includes('clock-skew');

/** Stores samples validate found clock-skewed; returns how many were new. */
export async function quarantineTelemetry(db: Queryable, samples: readonly TelemetryValidated[]): Promise<number> {
  if (samples.length === 0) return 0;
  const { rowCount } = await db.query(quarantineSql, [JSON.stringify(samples.map(toRow))]);
  return rowCount;
}

/** Stores validated samples; returns how many were new (the rest were already stored). */
export async function insertTelemetry(db: Queryable, samples: readonly TelemetryValidated[], flavor: StorageFlavor): Promise<number> {
  if (samples.length === 0) return 0;
  const { rows: result } = await db.query<{ inserted: number }>(insertSql(flavor), [JSON.stringify(samples.map(toRow))]);
  return result[0]?.inserted ?? 0;
}

function toRow(s: TelemetryValidated) {
  return {
    device_id: s.deviceId,
    tag_id: s.tagId,
    ts: new Date(s.timestamp).toISOString(),
    value: s.value,
    quality: s.quality,
    status: s.status,
    flags: s.flags,
    unit: s.unit ?? null,
    tenant_id: s.tenantId,
    field_id: s.fieldId ?? null,
    well_id: s.wellId ?? null,
    source_protocol: s.sourceProtocol,
    received_at: new Date(s.receivedAt).toISOString(),
  };
}
