import { type WellTestCompleted, WellTestCreated, WellTestQuantity, WellTestStatus } from '#contracts';
import type { Queryable } from '#runtime';

/**
 * The well test tables (persist's migrations/013_well_tests.sql): the well-test function
 * writes them, and the gateway reads tests through the query functions at the end, so the
 * layout has one owner.
 */

const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;
const iso = (t: number) => new Date(t).toISOString();

/** A running test as the function needs it to route and judge readings. */
export interface RunningTest {
  testId: string;
  tenantId: string;
  fieldId: string | undefined;
  wellId: string;
  deviceId: string;
  method: WellTestCreated['method'];
  createdAt: number;
  createdBy: string;
  plannedMinutes: number;
  maxMinutes: number;
  reservoirPressurePsia: number;
  bubblePointPressurePsia: number;
  notes: string | undefined;
}

export interface TestReading {
  testId: string;
  quantity: WellTestQuantity;
  t: number;
  value: number;
}

/** Stores created tests; a test id already stored (a redelivery) is left as it is. Returns the ids stored now. */
export async function insertTests(db: Queryable, tests: readonly WellTestCreated[]): Promise<string[]> {
  if (tests.length === 0) return [];
  const rows = tests.map((t) => ({
    test_id: t.testId,
    tenant_id: t.tenantId,
    field_id: t.fieldId ?? null,
    well_id: t.wellId,
    device_id: t.deviceId,
    method: t.method,
    created_at: iso(t.createdAt),
    created_by: t.createdBy,
    planned_minutes: t.plannedMinutes,
    max_minutes: t.maxMinutes,
    reservoir_pressure_psia: t.reservoirPressurePsia,
    bubble_point_pressure_psia: t.bubblePointPressurePsia,
    notes: t.notes ?? null,
  }));
  const { rows: stored } = await db.query<{ test_id: string }>(
    `INSERT INTO well_tests (test_id, tenant_id, field_id, well_id, device_id, method, created_at, created_by,
       planned_minutes, max_minutes, reservoir_pressure_psia, bubble_point_pressure_psia, notes)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(test_id text, tenant_id text, field_id text, well_id text, device_id text,
       method text, created_at timestamptz, created_by text, planned_minutes integer, max_minutes integer,
       reservoir_pressure_psia double precision, bubble_point_pressure_psia double precision, notes text)
     ON CONFLICT (test_id) DO NOTHING
     RETURNING test_id`,
    [JSON.stringify(rows)],
  );
  return stored.map((r) => r.test_id);
}

const runningColumns = `test_id, tenant_id, field_id, well_id, device_id, method, ${epochMs('created_at')} AS created_at, created_by,
  planned_minutes, max_minutes, reservoir_pressure_psia, bubble_point_pressure_psia, notes`;

interface RunningRow {
  test_id: string;
  tenant_id: string;
  field_id: string | null;
  well_id: string;
  device_id: string;
  method: string;
  created_at: string;
  created_by: string;
  planned_minutes: number;
  max_minutes: number;
  reservoir_pressure_psia: number;
  bubble_point_pressure_psia: number;
  notes: string | null;
}

function runningOf(r: RunningRow): RunningTest {
  return {
    testId: r.test_id,
    tenantId: r.tenant_id,
    fieldId: r.field_id ?? undefined,
    wellId: r.well_id,
    deviceId: r.device_id,
    method: WellTestCreated.shape.method.parse(r.method),
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    plannedMinutes: r.planned_minutes,
    maxMinutes: r.max_minutes,
    reservoirPressurePsia: r.reservoir_pressure_psia,
    bubblePointPressurePsia: r.bubble_point_pressure_psia,
    notes: r.notes ?? undefined,
  };
}

/** Every running test: a handful at a time on a field, read once per chunk. */
export async function runningTests(db: Queryable): Promise<RunningTest[]> {
  const { rows } = await db.query<RunningRow>(`SELECT ${runningColumns} FROM well_tests WHERE state = 'running'`);
  return rows.map(runningOf);
}

/**
 * Locks the given tests until the transaction ends and returns those still running. Chunks of
 * one test's readings come from several partitions (the separator's, the well's) and are
 * handled at once: each judges only after the other's readings are committed, so the last to
 * commit judges them all. Locked in one order, so two chunks never deadlock.
 */
export async function lockRunning(db: Queryable, testIds: readonly string[]): Promise<Set<string>> {
  if (testIds.length === 0) return new Set();
  const { rows } = await db.query<{ test_id: string }>(
    `SELECT test_id FROM well_tests WHERE test_id = ANY($1::text[]) AND state = 'running' ORDER BY test_id FOR UPDATE`,
    [[...testIds]],
  );
  return new Set(rows.map((r) => r.test_id));
}

/** Running tests whose maximum duration has passed by `now`: the tick ends them even when their readings stopped. */
export async function overdueTests(db: Queryable, now: number): Promise<RunningTest[]> {
  const { rows } = await db.query<RunningRow>(
    `SELECT ${runningColumns} FROM well_tests
     WHERE state = 'running' AND created_at + make_interval(mins => max_minutes) < $1::timestamptz`,
    [iso(now)],
  );
  return rows.map(runningOf);
}

/** Stores readings; one already stored (a redelivered sample) is skipped. Returns the times of the new ones, per test. */
export async function insertReadings(db: Queryable, readings: readonly TestReading[]): Promise<Map<string, number[]>> {
  if (readings.length === 0) return new Map();
  const byKey = new Map(readings.map((r) => [`${r.testId}\u0000${r.quantity}\u0000${r.t}`, r]));
  const { rows } = await db.query<{ test_id: string; t: string }>(
    `INSERT INTO well_test_readings (test_id, quantity, ts, value)
     SELECT test_id, quantity, ts, value FROM jsonb_to_recordset($1::jsonb) AS x(test_id text, quantity text, ts timestamptz, value double precision)
     ON CONFLICT DO NOTHING
     RETURNING test_id, ${epochMs('ts')} AS t`,
    [JSON.stringify([...byKey.values()].map((r) => ({ test_id: r.testId, quantity: r.quantity, ts: iso(r.t), value: r.value })))],
  );
  const times = new Map<string, number[]>();
  for (const r of rows) {
    const list = times.get(r.test_id);
    if (list) list.push(Number(r.t));
    else times.set(r.test_id, [Number(r.t)]);
  }
  return times;
}

/**
 * A test's readings from `windowMinutes` before `from` up to `to` (all a judgement at any
 * time in [from, to] reads), oldest first, with how many it has before them.
 */
export async function readingsAround(
  db: Queryable,
  testId: string,
  windowMinutes: number,
  from: number,
  to: number,
): Promise<{ readings: TestReading[]; countBefore: number }> {
  const start = iso(from - windowMinutes * 60_000);
  const { rows } = await db.query<{ quantity: string; t: string; value: number }>(
    `SELECT quantity, ${epochMs('ts')} AS t, value FROM well_test_readings
     WHERE test_id = $1 AND ts >= $2::timestamptz AND ts <= $3::timestamptz ORDER BY ts, quantity`,
    [testId, start, iso(to)],
  );
  const { rows: before } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM well_test_readings WHERE test_id = $1 AND ts < $2::timestamptz',
    [testId, start],
  );
  return {
    readings: rows.map((r) => ({ testId, quantity: WellTestQuantity.parse(r.quantity), t: Number(r.t), value: r.value })),
    countBefore: Number(before[0]?.n ?? 0),
  };
}

/** The time of a test's newest reading, if it has any. */
export async function newestReadingAt(db: Queryable, testId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT ${epochMs('max(ts)')} AS t FROM well_test_readings WHERE test_id = $1`, [
    testId,
  ]);
  return rows[0]?.t == null ? undefined : Number(rows[0].t);
}

/** What a judgement changes on a test. */
export interface TestJudgement {
  testId: string;
  state: WellTestStatus['state'];
  elapsedMinutes: number;
  readings: number;
  waitingFor: readonly string[];
  averages: WellTestStatus['averages'];
  judgedAt: number;
  endedAt?: number | undefined;
  completion?: WellTestCompleted | undefined;
}

/** Records a judgement of a running test; an ended test is not touched again. Returns whether it was running. */
export async function saveJudgement(db: Queryable, j: TestJudgement): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE well_tests SET state = $2, elapsed_minutes = $3, readings = $4, waiting_for = $5::jsonb, averages = $6::jsonb,
       judged_at = $7::timestamptz, ended_at = $8::timestamptz, completion = $9::jsonb
     WHERE test_id = $1 AND state = 'running'`,
    [
      j.testId,
      j.state,
      j.elapsedMinutes,
      j.readings,
      JSON.stringify(j.waitingFor),
      JSON.stringify(j.averages),
      iso(j.judgedAt),
      j.endedAt === undefined ? null : iso(j.endedAt),
      j.completion ? JSON.stringify(j.completion) : null,
    ],
  );
  return rowCount > 0;
}

/** Completed tests whose well-testing.test-completed the broker does not have yet, oldest first. */
export async function unpublishedCompletions(db: Queryable, limit: number): Promise<WellTestCompleted[]> {
  const { rows } = await db.query<{ completion: WellTestCompleted }>(
    'SELECT completion FROM well_tests WHERE completion IS NOT NULL AND published_at IS NULL ORDER BY ended_at LIMIT $1',
    [limit],
  );
  return rows.map((r) => r.completion);
}

export async function markCompletionsPublished(db: Queryable, testIds: readonly string[]): Promise<void> {
  if (testIds.length === 0) return;
  await db.query('UPDATE well_tests SET published_at = clock_timestamp() WHERE test_id = ANY($1::text[]) AND published_at IS NULL', [
    [...testIds],
  ]);
}

const statusColumns = `test_id, tenant_id, field_id, well_id, device_id, method, state, ${epochMs('created_at')} AS created_at, created_by,
  planned_minutes, max_minutes, elapsed_minutes, readings, waiting_for, averages,
  ${epochMs('judged_at')} AS judged_at, ${epochMs('ended_at')} AS ended_at`;

function statusOf(r: Record<string, unknown>): WellTestStatus {
  const ms = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
  return WellTestStatus.parse({
    testId: r.test_id,
    wellId: r.well_id,
    tenantId: r.tenant_id,
    ...(r.field_id ? { fieldId: r.field_id } : {}),
    deviceId: r.device_id,
    method: r.method,
    state: r.state,
    createdAt: ms(r.created_at),
    createdBy: r.created_by,
    plannedMinutes: r.planned_minutes,
    maxMinutes: r.max_minutes,
    elapsedMinutes: r.elapsed_minutes,
    readings: r.readings,
    waitingFor: r.waiting_for,
    averages: r.averages,
    ...(r.judged_at === null ? {} : { judgedAt: ms(r.judged_at) }),
    ...(r.ended_at === null ? {} : { endedAt: ms(r.ended_at) }),
  });
}

/** A tenant's tests of a well, newest first. */
export async function queryWellTests(db: Queryable, q: { tenantId: string; wellId: string; limit: number }): Promise<WellTestStatus[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${statusColumns} FROM well_tests WHERE tenant_id = $1 AND well_id = $2 ORDER BY created_at DESC, test_id LIMIT $3`,
    [q.tenantId, q.wellId, q.limit],
  );
  return rows.map(statusOf);
}

/** One of a tenant's tests, or undefined. */
export async function queryWellTest(db: Queryable, q: { tenantId: string; testId: string }): Promise<WellTestStatus | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT ${statusColumns} FROM well_tests WHERE tenant_id = $1 AND test_id = $2`,
    [q.tenantId, q.testId],
  );
  return rows[0] ? statusOf(rows[0]) : undefined;
}
