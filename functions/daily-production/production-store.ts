import { DailyProduction } from '#contracts';
import type { Queryable } from '#runtime';
import type { Phase } from '../../config/production-accounting.ts';
import type { MeterReading, TestRates } from './field-day.ts';

/**
 * The daily production tables (persist's migrations/011_daily_production.sql): the
 * daily-production function writes them, and the gateway reads the reports through the
 * query functions at the end, so the layout has one owner.
 */

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;
const iso = (t: number) => new Date(t).toISOString();

export interface ReadingRow extends MeterReading {
  tenantId: string;
  fieldId: string;
  eventId: string;
}

/** A production day to (re)compute. */
export interface DayMark {
  tenantId: string;
  fieldId: string;
  day: string;
  end: number;
}

/**
 * Stores meter readings. A new reading, or one whose value changed (a correction), is
 * returned: its day must be recomputed. The same reading again (a redelivery) is not.
 */
export async function upsertReadings(db: Queryable, readings: readonly ReadingRow[]): Promise<{ fieldId: string; t: number }[]> {
  if (readings.length === 0) return [];
  // One row per key: a chunk holding a reading and its correction keeps the later (ON CONFLICT may touch a row once).
  const byKey = new Map(readings.map((r) => [`${r.deviceId}\u0000${r.tagId}\u0000${r.t}`, r]));
  const rows = [...byKey.values()].map((r) => ({
    device_id: r.deviceId,
    tag_id: r.tagId,
    ts: iso(r.t),
    tenant_id: r.tenantId,
    field_id: r.fieldId,
    asset_id: r.assetId,
    value: r.value,
    event_id: r.eventId,
  }));
  const { rows: changed } = await db.query<{ field_id: string; t: string }>(
    `INSERT INTO production_readings AS p (device_id, tag_id, ts, tenant_id, field_id, asset_id, value, event_id)
     SELECT device_id, tag_id, ts, tenant_id, field_id, asset_id, value, event_id
     FROM jsonb_to_recordset($1::jsonb) AS x(device_id text, tag_id text, ts timestamptz, tenant_id text, field_id text,
       asset_id text, value double precision, event_id text)
     ON CONFLICT (device_id, tag_id, ts) DO UPDATE
       SET value = EXCLUDED.value, event_id = EXCLUDED.event_id, corrections = p.corrections + 1
       WHERE p.value IS DISTINCT FROM EXCLUDED.value AND p.event_id <> EXCLUDED.event_id
     RETURNING field_id, ${epochMs('ts')} AS t`,
    [JSON.stringify(rows)],
  );
  return changed.map((r) => ({ fieldId: r.field_id, t: Number(r.t) }));
}

/** Stores well tests' rates, once per test id; returns the ids of the tests not stored before. */
export async function recordTests(db: Queryable, tests: readonly (TestRates & { tenantId: string; wellId: string })[]): Promise<string[]> {
  if (tests.length === 0) return [];
  const rows = tests.map((t) => ({
    test_id: t.testId,
    tenant_id: t.tenantId,
    well_id: t.wellId,
    ended_at: iso(t.endedAt),
    oil_rate: t.rates.oil ?? null,
    gas_rate: t.rates.gas ?? null,
    water_rate: t.rates.water ?? null,
  }));
  const { rows: inserted } = await db.query<{ test_id: string }>(
    `INSERT INTO production_well_tests
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(test_id text, tenant_id text, well_id text, ended_at timestamptz,
       oil_rate double precision, gas_rate double precision, water_rate double precision)
     ON CONFLICT (test_id) DO NOTHING
     RETURNING test_id`,
    [JSON.stringify(rows)],
  );
  return inserted.map((r) => r.test_id);
}

/** Marks days to recompute; a day marked again is marked anew (its computation in progress is not its last). */
export async function markDays(db: Queryable, days: readonly DayMark[]): Promise<void> {
  if (days.length === 0) return;
  const unique = new Map(days.map((d) => [`${d.fieldId}\u0000${d.day}`, d]));
  await db.query(
    `INSERT INTO production_days_pending (field_id, day, tenant_id, ends_at)
     SELECT field_id, day::date, tenant_id, ends_at FROM jsonb_to_recordset($1::jsonb) AS x(field_id text, day text, tenant_id text, ends_at timestamptz)
     ON CONFLICT (field_id, day) DO UPDATE SET marked_at = clock_timestamp()`,
    [JSON.stringify([...unique.values()].map((d) => ({ field_id: d.fieldId, day: d.day, tenant_id: d.tenantId, ends_at: iso(d.end) })))],
  );
}

/** Marks every reported day of a field from `fromDay` on: a late status change or test may change all of them. */
export async function markReportedDaysFrom(db: Queryable, fieldId: string, fromDay: string): Promise<void> {
  await db.query(
    `INSERT INTO production_days_pending (field_id, day, tenant_id, ends_at)
     SELECT DISTINCT ON (field_id, day) field_id, day, tenant_id, to_timestamp((report->>'end')::bigint / 1000.0)
     FROM daily_production_reports WHERE field_id = $1 AND day >= $2::date
     ORDER BY field_id, day, version DESC
     ON CONFLICT (field_id, day) DO UPDATE SET marked_at = clock_timestamp()`,
    [fieldId, fromDay],
  );
}

export interface DueDay extends DayMark {
  markedAt: string;
}

/** Marked days that ended at least `closeAfterMs` before `now`, oldest first. */
export async function dueDays(db: Queryable, now: number, closeAfterMs: number, limit: number): Promise<DueDay[]> {
  const { rows } = await db.query<{ tenant_id: string; field_id: string; day: string; ends: string; marked_at: string }>(
    `SELECT tenant_id, field_id, to_char(day, 'YYYY-MM-DD') AS day, ${epochMs('ends_at')} AS ends, marked_at::text AS marked_at
     FROM production_days_pending WHERE ends_at <= $1::timestamptz ORDER BY day, field_id LIMIT $2`,
    [iso(now - closeAfterMs), limit],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, fieldId: r.field_id, day: r.day, end: Number(r.ends), markedAt: r.marked_at }));
}

/** Unmarks a computed day, unless it was marked again meanwhile (then it is computed again next time). */
export async function clearDay(db: Queryable, day: DueDay): Promise<void> {
  await db.query('DELETE FROM production_days_pending WHERE field_id = $1 AND day = $2::date AND marked_at = $3::timestamptz', [
    day.fieldId,
    day.day,
    day.markedAt,
  ]);
}

/**
 * An asset's meter readings for [start, end) (a well's, or the field's own under its id):
 * those inside, and for each meter the last one before and the first one after (up to
 * `reachMs` away), which carry the day's edges.
 */
export async function readingsAround(
  db: Queryable,
  q: { fieldId: string; assetId: string; start: number; end: number; reachMs: number },
): Promise<MeterReading[]> {
  const { rows } = await db.query<{ asset_id: string; device_id: string; tag_id: string; t: string; value: number }>(
    `WITH inside AS (
       SELECT asset_id, device_id, tag_id, ts, value FROM production_readings
       WHERE field_id = $1 AND asset_id = $5 AND ts >= $2::timestamptz AND ts < $3::timestamptz
     ), before AS (
       SELECT DISTINCT ON (device_id, tag_id) asset_id, device_id, tag_id, ts, value FROM production_readings
       WHERE field_id = $1 AND asset_id = $5 AND ts < $2::timestamptz AND ts >= $2::timestamptz - $4 * interval '1 millisecond'
       ORDER BY device_id, tag_id, ts DESC
     ), after AS (
       SELECT DISTINCT ON (device_id, tag_id) asset_id, device_id, tag_id, ts, value FROM production_readings
       WHERE field_id = $1 AND asset_id = $5 AND ts >= $3::timestamptz AND ts < $3::timestamptz + $4 * interval '1 millisecond'
       ORDER BY device_id, tag_id, ts
     )
     SELECT asset_id, device_id, tag_id, ${epochMs('ts')} AS t, value FROM (SELECT * FROM before UNION ALL SELECT * FROM inside UNION ALL SELECT * FROM after) r
     ORDER BY ts`,
    [q.fieldId, iso(q.start), iso(q.end), q.reachMs, q.assetId],
  );
  return rows.map((r) => ({ assetId: r.asset_id, deviceId: r.device_id, tagId: r.tag_id, t: Number(r.t), value: Number(r.value) }));
}

/** Deletes a field's readings older than `before`: the days they made are reported, and are no longer recomputed. */
export async function pruneReadings(db: Queryable, fieldId: string, before: number): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM production_readings WHERE field_id = $1 AND ts < $2::timestamptz', [
    fieldId,
    iso(before),
  ]);
  return rowCount;
}

/** Each well's latest test that ended before `before`. */
export async function latestTests(db: Queryable, wellIds: readonly string[], before: number): Promise<Map<string, TestRates>> {
  if (wellIds.length === 0) return new Map();
  const { rows } = await db.query<{
    test_id: string;
    well_id: string;
    ended_at: string;
    oil_rate: number | null;
    gas_rate: number | null;
    water_rate: number | null;
  }>(
    `SELECT DISTINCT ON (well_id) test_id, well_id, ${epochMs('ended_at')} AS ended_at, oil_rate, gas_rate, water_rate
     FROM production_well_tests WHERE well_id = ANY($1::text[]) AND ended_at < $2::timestamptz
     ORDER BY well_id, ended_at DESC, test_id`,
    [wellIds, iso(before)],
  );
  return new Map(
    rows.map((r) => {
      const rates: Partial<Record<Phase, number>> = {};
      if (r.oil_rate !== null) rates.oil = Number(r.oil_rate);
      if (r.gas_rate !== null) rates.gas = Number(r.gas_rate);
      if (r.water_rate !== null) rates.water = Number(r.water_rate);
      return [r.well_id, { testId: r.test_id, endedAt: Number(r.ended_at), rates }];
    }),
  );
}

/** Whether a field's day has a report (of any version). */
export async function hasReport(db: Queryable, fieldId: string, day: string): Promise<boolean> {
  // rows, not rowCount: the embedded PostgreSQL counts only the rows a statement changed.
  const { rows } = await db.query('SELECT 1 FROM daily_production_reports WHERE field_id = $1 AND day = $2::date LIMIT 1', [fieldId, day]);
  return rows.length > 0;
}

const reportOf = (raw: unknown): DailyProduction => DailyProduction.parse(typeof raw === 'string' ? JSON.parse(raw) : raw);

/** The latest version of a field's day, if any. */
export async function latestReport(db: Queryable, fieldId: string, day: string): Promise<DailyProduction | undefined> {
  const { rows } = await db.query<{ report: unknown }>(
    'SELECT report FROM daily_production_reports WHERE field_id = $1 AND day = $2::date ORDER BY version DESC LIMIT 1',
    [fieldId, day],
  );
  return rows[0] ? reportOf(rows[0].report) : undefined;
}

/** Stores a new version (the caller numbered it: the latest + 1); a version already stored is refused by the key. */
export async function insertReport(db: Queryable, report: DailyProduction): Promise<void> {
  await db.query(
    `INSERT INTO daily_production_reports (field_id, day, version, tenant_id, computed_at, report)
     VALUES ($1, $2::date, $3, $4, $5::timestamptz, $6::jsonb)`,
    [report.fieldId, report.day, report.version, report.tenantId, iso(report.computedAt), JSON.stringify(report)],
  );
}

/** Versions stored but not yet acknowledged by the broker, oldest first: the outbox. */
export async function unpublishedReports(db: Queryable, limit: number): Promise<DailyProduction[]> {
  const { rows } = await db.query<{ report: unknown }>(
    'SELECT report FROM daily_production_reports WHERE published_at IS NULL ORDER BY computed_at, field_id, day, version LIMIT $1',
    [limit],
  );
  return rows.map((r) => reportOf(r.report));
}

export async function markPublished(
  db: Queryable,
  reports: readonly Pick<DailyProduction, 'fieldId' | 'day' | 'version'>[],
): Promise<void> {
  if (reports.length === 0) return;
  await db.query(
    `UPDATE daily_production_reports r SET published_at = clock_timestamp()
     FROM jsonb_to_recordset($1::jsonb) AS x(field_id text, day text, version integer)
     WHERE r.field_id = x.field_id AND r.day = x.day::date AND r.version = x.version AND r.published_at IS NULL`,
    [JSON.stringify(reports.map((r) => ({ field_id: r.fieldId, day: r.day, version: r.version })))],
  );
}

/** The latest version of each of a tenant's field reports for a day (optionally one field). */
export async function queryDailyReports(
  db: Queryable,
  q: { tenantId: string; day: string; fieldId?: string | undefined },
): Promise<DailyProduction[]> {
  const { rows } = await db.query<{ report: unknown }>(
    `SELECT DISTINCT ON (field_id) report FROM daily_production_reports
     WHERE tenant_id = $1 AND day = $2::date AND ($3::text IS NULL OR field_id = $3)
     ORDER BY field_id, version DESC`,
    [q.tenantId, q.day, q.fieldId ?? null],
  );
  return rows.map((r) => reportOf(r.report));
}

/** Every version of a field's day, oldest first: the report's history. */
export async function queryReportVersions(
  db: Queryable,
  q: { tenantId: string; fieldId: string; day: string },
): Promise<DailyProduction[]> {
  const { rows } = await db.query<{ report: unknown }>(
    'SELECT report FROM daily_production_reports WHERE tenant_id = $1 AND field_id = $2 AND day = $3::date ORDER BY version',
    [q.tenantId, q.fieldId, q.day],
  );
  return rows.map((r) => reportOf(r.report));
}

/** The latest version of a field's reports for each day in [fromDay, toDay], oldest first. */
export async function queryFieldDays(
  db: Queryable,
  q: { tenantId: string; fieldId: string; fromDay: string; toDay: string },
): Promise<DailyProduction[]> {
  const { rows } = await db.query<{ report: unknown }>(
    `SELECT DISTINCT ON (day) report FROM daily_production_reports
     WHERE tenant_id = $1 AND field_id = $2 AND day >= $3::date AND day <= $4::date
     ORDER BY day, version DESC`,
    [q.tenantId, q.fieldId, q.fromDay, q.toDay],
  );
  return rows.map((r) => reportOf(r.report));
}
