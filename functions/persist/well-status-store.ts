import type { DownReason, WellStatus, WellStatusChanged } from '#contracts';
import type { FlowlineEvent, Queryable } from '#runtime';

/**
 * The well status tables (migrations/010_well_status.sql): persist writes the changes, the
 * gateway reads the timeline and the hours per day from here, so the layout has one owner.
 */
export async function insertWellStatusChanges(db: Queryable, events: readonly FlowlineEvent<string, WellStatusChanged>[]): Promise<number> {
  if (events.length === 0) return 0;
  const rows = events.map(({ id, data: c }) => ({
    event_id: id,
    tenant_id: c.tenantId,
    field_id: c.fieldId ?? null,
    well_id: c.wellId,
    status: c.status,
    reason: c.reason ?? null,
    previous_status: c.previousStatus ?? null,
    previous_reason: c.previousReason ?? null,
    since: new Date(c.since).toISOString(),
    confirmed_at: new Date(c.confirmedAt).toISOString(),
    profile: c.profile,
    tag_values: c.values,
  }));
  const { rowCount } = await db.query(
    `INSERT INTO well_status_changes
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id text, tenant_id text, field_id text, well_id text, status text,
       reason text, previous_status text, previous_reason text, since timestamptz, confirmed_at timestamptz, profile text, tag_values jsonb)
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
  return rowCount;
}

export interface StatusInterval {
  status: WellStatus;
  reason?: DownReason;
  from: number;
  /** Absent: the well is still in it. */
  to?: number;
}

export interface StatusDay {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  hours: Partial<Record<WellStatus, number>>;
  /** The `down` hours by reason. */
  downHours: Partial<Record<DownReason, number>>;
}

interface WellRange {
  tenantId: string;
  wellId: string;
  from: number;
  to: number;
  /** The database's idea of now is not asked: an open interval ends at the caller's clock. */
  now: number;
}

/** The well's statuses that overlap [from, to), oldest first, at most `limit` (the latest ones). */
export async function queryStatusTimeline(db: Queryable, q: WellRange & { limit: number }): Promise<StatusInterval[]> {
  const { rows } = await db.query<{ status: WellStatus; reason: DownReason | null; starts: number; ends: number | null }>(
    `SELECT status, reason, (extract(epoch FROM starts_at) * 1000)::bigint AS starts, (extract(epoch FROM ends_at) * 1000)::bigint AS ends
     FROM well_status_intervals
     WHERE tenant_id = $1 AND well_id = $2 AND starts_at < $4::timestamptz AND coalesce(ends_at, 'infinity') > $3::timestamptz
     ORDER BY starts_at DESC
     LIMIT $5`,
    [q.tenantId, q.wellId, new Date(q.from).toISOString(), new Date(q.to).toISOString(), q.limit],
  );
  return rows.reverse().map((r) => ({
    status: r.status,
    ...(r.reason ? { reason: r.reason } : {}),
    from: Number(r.starts),
    ...(r.ends !== null ? { to: Number(r.ends) } : {}),
  }));
}

/**
 * Hours in each status per UTC day of [from, to): the intervals cut at midnight, the open one
 * ending at `now`. A day before the well's first change has no hours: its status was unknown.
 */
export async function queryStatusHours(db: Queryable, q: WellRange): Promise<StatusDay[]> {
  const { rows } = await db.query<{ day: string; status: WellStatus; reason: DownReason | null; hours: number }>(
    `WITH spans AS (
       SELECT status, reason,
              greatest(starts_at, $3::timestamptz) AS s,
              least(coalesce(ends_at, $5::timestamptz), $4::timestamptz, $5::timestamptz) AS e
       FROM well_status_intervals
       WHERE tenant_id = $1 AND well_id = $2 AND starts_at < $4::timestamptz AND coalesce(ends_at, 'infinity') > $3::timestamptz
     ), days AS (
       SELECT d AS day_start, d + interval '1 day' AS day_end
       FROM generate_series(date_trunc('day', $3::timestamptz AT TIME ZONE 'UTC'), $4::timestamptz AT TIME ZONE 'UTC', interval '1 day') AS g(d)
     )
     SELECT to_char(day_start, 'YYYY-MM-DD') AS day, status, reason,
            sum(extract(epoch FROM least(e, day_end AT TIME ZONE 'UTC') - greatest(s, day_start AT TIME ZONE 'UTC'))) / 3600 AS hours
     FROM spans JOIN days ON s < day_end AT TIME ZONE 'UTC' AND e > day_start AT TIME ZONE 'UTC'
     WHERE e > s
     GROUP BY day_start, status, reason
     ORDER BY day_start, status, reason`,
    [q.tenantId, q.wellId, new Date(q.from).toISOString(), new Date(q.to).toISOString(), new Date(q.now).toISOString()],
  );
  const days = new Map<string, StatusDay>();
  for (const r of rows) {
    const day = days.get(r.day) ?? { day: r.day, hours: {}, downHours: {} };
    days.set(r.day, day);
    // Whole microhours: the sums read as 3.5, not 3.4999999999999996.
    const hours = Math.round(Number(r.hours) * 1e6) / 1e6;
    day.hours[r.status] = Math.round(((day.hours[r.status] ?? 0) + hours) * 1e6) / 1e6;
    if (r.reason) day.downHours[r.reason] = hours;
  }
  return [...days.values()];
}
