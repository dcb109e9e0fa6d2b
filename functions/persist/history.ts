import type { Queryable } from '#runtime';
import { qualityRank } from './compacted-store.ts';
import type { StorageFlavor } from './migrate.ts';

/** Where a history answer came from: raw samples or a rollup. */
export type Resolution = 'raw' | '1m' | '1h';

export interface HistoryQuery {
  tenantId: string;
  deviceId: string;
  tagId: string;
  from: number;
  to: number;
  /** At most this many buckets come back (a chart's width in pixels is a good value). */
  maxPoints?: number;
}

export interface HistoryPoint {
  /** Bucket start, epoch ms. */
  t: number;
  avg: number;
  min: number;
  max: number;
  count: number;
  /**
   * Some of the bucket's samples reached the centre only as minutes an edge adapter compacted
   * during an outage (count, min, max, sum per tag-minute): no raw sample of them exists.
   */
  compacted: boolean;
  /** With `compacted`: the worst quality byte among the compacted samples (they include bad ones). */
  worstQuality?: number;
}

export interface History {
  resolution: Resolution;
  bucketSeconds: number;
  points: HistoryPoint[];
}

const niceBuckets = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/**
 * The bucket for a span and a point budget, and the coarsest stored resolution that can serve
 * it. Buckets of 5 min up to an hour read the 1 min rollup: persist keeps no 5 min one (a third
 * upsert per batch, for at most five times the rows read here).
 */
export function planHistory(spanMs: number, maxPoints: number): { bucketSeconds: number; resolution: Resolution } {
  const wanted = spanMs / 1000 / Math.max(1, maxPoints);
  const bucketSeconds = niceBuckets.find((b) => b >= wanted) ?? Math.ceil(wanted / 86400) * 86400;
  const resolution: Resolution = bucketSeconds >= 3600 ? '1h' : bucketSeconds >= 60 ? '1m' : 'raw';
  return { bucketSeconds, resolution };
}

const worst = (column: string) => `(min(${qualityRank(column)}) % 256)::int`;

// A tag's compacted pieces, one row per minute. The bounds on first_ts let the primary key
// (device, tag, first_ts) find them; the bounds on bucket are the ones the answer means.
const compactedMinutes = `
  SELECT bucket, sum(count)::bigint AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max, ${worst('worst_quality')} AS worst_quality
  FROM telemetry_compacted
  WHERE tenant_id = $1 AND device_id = $2 AND tag_id = $3 AND first_ts >= $4 AND first_ts < $5::timestamptz + interval '1 minute'
    AND bucket >= $4 AND bucket < $5
  GROUP BY bucket`;

/**
 * Raw resolution: raw samples in buckets, and beside them each compacted minute as one point
 * of its own at the minute's start. A minute cannot be split into finer buckets, and spreading
 * it over them would pass a rollup off as samples.
 */
const rawSql = `
  SELECT date_bin($6::interval, ts, TIMESTAMPTZ '2000-01-01') AS b, avg(value) AS avg, min(value) AS min, max(value) AS max,
         count(*)::int AS count, false AS compacted, NULL::int AS worst_quality
  FROM telemetry
  WHERE tenant_id = $1 AND device_id = $2 AND tag_id = $3 AND ts >= $4 AND ts < $5 AND status <> 'bad'
  GROUP BY b
  UNION ALL
  SELECT bucket, sum / count, min, max, count::int, true, worst_quality FROM (${compactedMinutes}) AS m
  ORDER BY b, compacted`;

/**
 * Rollup resolutions. Native rollups hold the compacted pieces already, marked; TimescaleDB's
 * continuous aggregates cannot take them (migration 009), so there the pieces are added here.
 */
const rollupSql = (resolution: '1m' | '1h', flavor: StorageFlavor) => {
  const source =
    flavor === 'native'
      ? `(SELECT bucket, count, sum, min, max, compacted, worst_quality FROM telemetry_${resolution}
          WHERE tenant_id = $1 AND device_id = $2 AND tag_id = $3 AND bucket >= $4 AND bucket < $5)`
      : `(SELECT bucket, count, sum, min, max, false AS compacted, NULL::int AS worst_quality FROM telemetry_${resolution}
          WHERE tenant_id = $1 AND device_id = $2 AND tag_id = $3 AND bucket >= $4 AND bucket < $5
          UNION ALL
          SELECT bucket, count, sum, min, max, true, worst_quality FROM (${compactedMinutes}) AS m)`;
  return `
  SELECT date_bin($6::interval, bucket, TIMESTAMPTZ '2000-01-01') AS b, sum(sum) / sum(count) AS avg, min(min) AS min, max(max) AS max,
         sum(count)::int AS count, bool_or(compacted) AS compacted, ${worst('worst_quality')} AS worst_quality
  FROM ${source} AS r
  GROUP BY b ORDER BY b`;
};

// The flavor never changes under a running process (it is chosen by the first migration).
const flavors = new WeakMap<Queryable, StorageFlavor>();

async function flavorOf(db: Queryable): Promise<StorageFlavor> {
  const known = flavors.get(db);
  if (known) return known;
  const { rows } = await db.query<{ flavor: string }>('SELECT flavor FROM schema_migrations ORDER BY version LIMIT 1');
  const flavor = rows[0]?.flavor;
  // No row: nothing migrated yet, and the history query that follows fails on the missing tables.
  if (flavor !== 'native' && flavor !== 'timescale') return 'native';
  flavors.set(db, flavor);
  return flavor;
}

/**
 * A tag's history downsampled to at most `maxPoints` buckets of min/avg/max (the
 * envelope a trend chart needs, so a spike never vanishes in an average). Short spans
 * read raw samples; long ones read the 1 min or 1 h rollups. Bad raw samples are
 * left out; minutes compacted at the edge are in, marked `compacted` (at raw resolution one
 * extra point per such minute). Always scoped to the tenant. `flavor` is read from the
 * migrations when not given.
 */
export async function queryHistory(db: Queryable, q: HistoryQuery, flavor?: StorageFlavor): Promise<History> {
  const { bucketSeconds, resolution } = planHistory(q.to - q.from, q.maxPoints ?? 500);
  const params = [
    q.tenantId,
    q.deviceId,
    q.tagId,
    new Date(q.from).toISOString(),
    new Date(q.to).toISOString(),
    `${bucketSeconds} seconds`,
  ];
  const sql = resolution === 'raw' ? rawSql : rollupSql(resolution, flavor ?? (await flavorOf(db)));
  const { rows } = await db.query<{
    b: Date | string;
    avg: number;
    min: number;
    max: number;
    count: number;
    compacted: boolean;
    worst_quality: number | null;
  }>(sql, params);
  return {
    resolution,
    bucketSeconds,
    points: rows.map((r) => {
      const point: HistoryPoint = {
        t: new Date(r.b).getTime(),
        avg: Number(r.avg),
        min: Number(r.min),
        max: Number(r.max),
        count: Number(r.count),
        compacted: r.compacted === true,
      };
      if (point.compacted && r.worst_quality !== null) point.worstQuality = Number(r.worst_quality);
      return point;
    }),
  };
}

export interface AlarmHistoryRow {
  eventId: string;
  alarmId: string;
  ts: number;
  transition: string;
  state: string;
  severity: string;
  condition: string;
  deviceId: string;
  tagId: string;
  wellId: string | null;
  value: number;
  threshold: number;
  message: string;
  actor: string | null;
  comment: string | null;
}

/** A tenant's alarm transitions, newest first. */
export async function queryAlarmHistory(
  db: Queryable,
  q: { tenantId: string; from: number; to: number; alarmId?: string | undefined; limit?: number },
): Promise<AlarmHistoryRow[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT event_id, alarm_id, ts, transition, state, severity, condition, device_id, tag_id, well_id, value, threshold, message, actor, comment
     FROM alarm_events WHERE tenant_id = $1 AND ts >= $2 AND ts < $3 AND ($4::text IS NULL OR alarm_id = $4)
     ORDER BY ts DESC LIMIT $5`,
    [q.tenantId, new Date(q.from).toISOString(), new Date(q.to).toISOString(), q.alarmId ?? null, Math.min(q.limit ?? 200, 5000)],
  );
  return rows.map((r) => ({
    eventId: String(r.event_id),
    alarmId: String(r.alarm_id),
    ts: new Date(r.ts as string).getTime(),
    transition: String(r.transition),
    state: String(r.state),
    severity: String(r.severity),
    condition: String(r.condition),
    deviceId: String(r.device_id),
    tagId: String(r.tag_id),
    wellId: (r.well_id as string | null) ?? null,
    value: Number(r.value),
    threshold: Number(r.threshold),
    message: String(r.message),
    actor: (r.actor as string | null) ?? null,
    comment: (r.comment as string | null) ?? null,
  }));
}

/** A well's latest calculation results, newest first, optionally of one topic. */
export async function queryCalculations(
  db: Queryable,
  q: { tenantId: string; wellId: string; topic?: string | undefined; limit?: number },
): Promise<{ eventId: string; topic: string; kind: string | null; ts: number; result: unknown }[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT event_id, topic, kind, ts, result FROM calculations
     WHERE tenant_id = $1 AND well_id = $2 AND ($3::text IS NULL OR topic = $3) ORDER BY ts DESC LIMIT $4`,
    [q.tenantId, q.wellId, q.topic ?? null, Math.min(q.limit ?? 50, 1000)],
  );
  return rows.map((r) => ({
    eventId: String(r.event_id),
    topic: String(r.topic),
    kind: (r.kind as string | null) ?? null,
    ts: new Date(r.ts as string).getTime(),
    result: typeof r.result === 'string' ? JSON.parse(r.result) : r.result,
  }));
}

/** The latest acknowledgement (who, when, with which comment) of each of some alarms of a tenant. */
export async function queryLatestAcknowledgements(
  db: Queryable,
  q: { tenantId: string; alarmIds: readonly string[] },
): Promise<Map<string, { actor: string | null; comment: string | null; ts: number }>> {
  if (q.alarmIds.length === 0) return new Map();
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT DISTINCT ON (alarm_id) alarm_id, actor, comment, ts FROM alarm_events
     WHERE tenant_id = $1 AND alarm_id = ANY($2::text[]) AND transition = 'acknowledged'
     ORDER BY alarm_id, ts DESC`,
    [q.tenantId, [...q.alarmIds]],
  );
  return new Map(
    rows.map((r) => [
      String(r.alarm_id),
      { actor: (r.actor as string | null) ?? null, comment: (r.comment as string | null) ?? null, ts: new Date(r.ts as string).getTime() },
    ]),
  );
}
