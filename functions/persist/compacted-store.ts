import type { CompactedMinuteValidated } from '#contracts';
import type { Queryable } from '#runtime';
import type { StorageFlavor } from './migrate.ts';

/**
 * The worst quality of a group as SQL: bad < uncertain < good, the lower byte first within a
 * class (contracts/quality.ts worseQuality), as one sortable number whose low byte is the
 * quality, so `min(rank) % 256` is the worst. NULL stays NULL (min ignores it).
 */
export const qualityRank = (q: string) => `((CASE ${q} & 192 WHEN 192 THEN 2 WHEN 64 THEN 1 ELSE 0 END) * 256 + ${q})`;

const input = `unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int4[], $6::float8[], $7::float8[],
  $8::float8[], $9::float8[], $10::int2[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::timestamptz[])
  AS x(device_id, tag_id, first_ts, last_ts, count, min, max, sum, last, worst_quality, status, unit, tenant_id, field_id, well_id,
       source_protocol, received_at)`;

const rollup = (table: string, width: string) => `
  ${table} AS (
    INSERT INTO ${table} AS r (device_id, tag_id, bucket, tenant_id, well_id, count, sum, min, max, compacted, worst_quality)
    SELECT device_id, tag_id, date_bin('${width}', bucket, TIMESTAMPTZ '2000-01-01'), min(tenant_id), min(well_id),
           sum(count), sum(sum), min(min), max(max), true, (min(${qualityRank('worst_quality')}) % 256)::int2
    FROM inserted GROUP BY 1, 2, 3
    ON CONFLICT (device_id, tag_id, bucket) DO UPDATE SET
      count = r.count + EXCLUDED.count, sum = r.sum + EXCLUDED.sum,
      min = least(r.min, EXCLUDED.min), max = greatest(r.max, EXCLUDED.max), compacted = true,
      worst_quality = CASE WHEN r.worst_quality IS NULL THEN EXCLUDED.worst_quality
                           ELSE (least(${qualityRank('r.worst_quality')}, ${qualityRank('EXCLUDED.worst_quality')}) % 256)::int2 END
    RETURNING 1)`;

// Pieces already stored (a redelivery) are skipped, and the rollups fed only from the new ones.
const insertSql = (flavor: StorageFlavor) => `
  WITH inserted AS (
    INSERT INTO telemetry_compacted (device_id, tag_id, first_ts, last_ts, bucket, count, min, max, sum, last, worst_quality, status, unit,
                                     tenant_id, field_id, well_id, source_protocol, received_at)
    SELECT device_id, tag_id, first_ts, last_ts, date_bin('1 minute', first_ts, TIMESTAMPTZ '2000-01-01'), count, min, max, sum, last,
           worst_quality, status, unit, tenant_id, field_id, well_id, source_protocol, received_at FROM ${input}
    ON CONFLICT DO NOTHING
    RETURNING device_id, tag_id, bucket, count, min, max, sum, worst_quality, tenant_id, well_id)
  ${flavor === 'native' ? `, ${rollup('telemetry_1m', '1 minute')}, ${rollup('telemetry_1h', '1 hour')}` : ''}
  SELECT count(*)::int AS inserted FROM inserted`;

/** Stores compacted minutes and adds them to the rollups, marked compacted; returns how many pieces were new. */
export async function insertCompactedMinutes(
  db: Queryable,
  minutes: readonly CompactedMinuteValidated[],
  flavor: StorageFlavor,
): Promise<number> {
  if (minutes.length === 0) return 0;
  const column = <T>(pick: (m: CompactedMinuteValidated) => T): T[] => minutes.map(pick);
  const { rows } = await db.query<{ inserted: number }>(insertSql(flavor), [
    column((m) => m.deviceId),
    column((m) => m.tagId),
    column((m) => new Date(m.firstTimestamp).toISOString()),
    column((m) => new Date(m.lastTimestamp).toISOString()),
    column((m) => m.count),
    column((m) => m.min),
    column((m) => m.max),
    column((m) => m.sum),
    column((m) => m.last),
    column((m) => m.worstQuality),
    column((m) => m.status),
    column((m) => m.unit ?? null),
    column((m) => m.tenantId),
    column((m) => m.fieldId ?? null),
    column((m) => m.wellId ?? null),
    column((m) => m.sourceProtocol),
    column((m) => new Date(m.receivedAt).toISOString()),
  ]);
  return rows[0]?.inserted ?? 0;
}
