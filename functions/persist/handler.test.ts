import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm, CompactedMinuteValidated, TelemetryValidated } from '#contracts';
import type { Db } from '#runtime';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { openDb } from '../../runtime/resources/db.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { compactedPiece, validatedSample } from '../../tests/support/telemetry-samples.ts';
import { planHistory, queryAlarmHistory, queryCalculations, queryHistory } from './history.ts';
import { maintain } from './maintenance.ts';
import { migrate } from './migrate.ts';

// PostgreSQL itself, embedded (PGlite): the same SQL as production, no server to run.
// tests/integration/pipeline.test.ts runs persist against a real PostgreSQL server.
let db: Db;
let bed: TestBed;
const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);

beforeAll(async () => {
  db = await openDb('memory://');
});
afterAll(() => db.close());
beforeEach(async () => {
  bed = await createTestBed({ functions: [await loadFunction('functions/persist')], db, partitions: 1 });
  await db.exec(
    'TRUNCATE telemetry, telemetry_quarantine, telemetry_compacted, telemetry_1m, telemetry_1h, alarm_events, calculations, audit_log, well_status_changes',
  );
});
afterEach(() => bed.stop());

function sample(atMs: number, value: number, overrides: Partial<TelemetryValidated> = {}): TelemetryValidated {
  return validatedSample({ timestamp: t0 + atMs, value, receivedAt: t0 + atMs + 5, ...overrides });
}

const count = async (table: string) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n);

describe('persist: migrations', () => {
  it('applied the versioned migrations once, natively partitioned here', async () => {
    expect(await migrate(db)).toEqual({ flavor: 'native', applied: [] });
    const { rows } = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => `${r.version} ${r.name}`)).toEqual([
      '1 config',
      '2 telemetry',
      '3 rollups',
      '4 alarms',
      '5 calculations',
      '6 audit_log',
      '7 clock_skew',
      '8 rollups_from_1m',
      '9 compacted_minutes',
      '10 well_status',
      '11 daily_production',
      '12 audit_tenant',
      '13 well_tests',
    ]);
    const { rows: parts } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'telemetry'::regclass",
    );
    expect(parts[0]?.n).toBeGreaterThanOrEqual(10); // yesterday + 8 days ahead + default
  });

  it("creates a day's partition even when the default partition already holds rows of that day", async () => {
    // As a sample from a clock 30 days ahead did before validate quarantined them.
    const day = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await db.query(
      `INSERT INTO telemetry (device_id, tag_id, ts, value, quality, status, tenant_id, source_protocol, received_at)
       VALUES ('rtu-w01', 'tubing_pressure', $1::date + time '12:00', 900, 192, 'good', 'acme-energy', 'HTTP', now())`,
      [day],
    );
    expect((await db.query<{ n: number }>('SELECT flowline_ensure_telemetry_partitions($1::date, 1) AS n', [day])).rows[0]?.n).toBe(1);
    const where = await db.query<{ part: string }>("SELECT tableoid::regclass::text AS part FROM telemetry WHERE device_id = 'rtu-w01'");
    expect(where.rows).toEqual([{ part: `telemetry_p${day.replaceAll('-', '')}` }]);
    await db.exec(`DROP TABLE telemetry_p${day.replaceAll('-', '')}`);
    // And maintenance as a whole, at start-up and hourly, goes through.
    await maintain(db, 'native', { PERSIST_RETENTION_DAYS: 365, PERSIST_ROLLUP_RETENTION_DAYS: 1825 });
  });

  it('refuses to run when an applied migration was edited', async () => {
    await db.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 4");
    await expect(migrate(db)).rejects.toThrow('migration 004_alarms.sql changed after it was applied');
    await db.query('DELETE FROM schema_migrations WHERE version = 4');
    await db.query(
      `INSERT INTO schema_migrations (version, name, flavor, checksum) SELECT 4, 'alarms', 'native', encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
      [await import('node:fs/promises').then((fs) => fs.readFile('functions/persist/migrations/004_alarms.sql', 'utf8'))],
    );
    expect((await migrate(db)).applied).toEqual([]);
  });
});

describe('persist: writes', () => {
  it('stores each sample once however often it is delivered, and rolls up only what it stored', async () => {
    const samples = [
      sample(0, 100),
      sample(20_000, 200),
      sample(40_000, 300),
      sample(70_000, 400),
      sample(80_000, 9999, { status: 'bad', flags: ['out-of-range'] }),
    ];
    for (const s of samples) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
    for (const s of samples.slice(0, 3)) bed.publish('scada.telemetry.validated', s, { key: s.deviceId }); // redelivered
    await bed.drained();

    expect(await count('telemetry')).toBe(5);
    const { rows } = await db.query<{ bucket: Date; count: number; sum: number; min: number; max: number }>(
      'SELECT bucket, count::int, sum, min, max FROM telemetry_1m ORDER BY bucket',
    );
    expect(rows.map((r) => [new Date(r.bucket).getTime() - t0, r.count, r.sum, r.min, r.max])).toEqual([
      [0, 3, 600, 100, 300],
      [60_000, 1, 400, 400, 400], // the bad sample is stored but never rolled up
    ]);
    const hour = (await db.query<{ count: number; sum: number }>('SELECT count::int, sum FROM telemetry_1h')).rows;
    expect(hour).toEqual([{ count: 4, sum: 1000 }]);
  });

  it('adds compacted minutes to the rollups, marked compacted with their worst quality, each piece once', async () => {
    const piece = (from: number, to: number, fields: Partial<CompactedMinuteValidated>) =>
      compactedPiece({ firstTimestamp: t0 + from, lastTimestamp: t0 + to, receivedAt: t0 + 3_600_000, ...fields });
    // Minute 0: two raw samples went out before the link fell, the rest was compacted in two pieces.
    for (const s of [sample(0, 100), sample(10_000, 200)]) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
    const pieces = [
      piece(20_000, 40_000, { worstQuality: 84, status: 'suspect' }),
      piece(45_000, 59_000, { count: 2, min: 120, max: 130, sum: 250, last: 130 }),
      piece(60_000, 119_000, { count: 60, min: 0, max: 10, sum: 300, last: 1, worstQuality: 24, status: 'bad' }),
    ];
    for (const p of [...pieces, pieces[0] as CompactedMinuteValidated])
      bed.publish('scada.telemetry.compacted.validated', p, { key: p.deviceId }); // the first redelivered
    await bed.drained();
    expect(bed.deadLetters('scada.telemetry.compacted.validated')).toEqual([]);
    expect(await count('telemetry')).toBe(2);
    expect(await count('telemetry_compacted')).toBe(3);
    const { rows } = await db.query<{
      bucket: Date;
      count: number;
      sum: number;
      min: number;
      max: number;
      compacted: boolean;
      worst: number;
    }>('SELECT bucket, count::int, sum, min, max, compacted, worst_quality AS worst FROM telemetry_1m ORDER BY bucket');
    expect(rows.map((r) => [new Date(r.bucket).getTime() - t0, r.count, r.sum, r.min, r.max, r.compacted, r.worst])).toEqual([
      [0, 7, 1150, 50, 400, true, 84],
      [60_000, 60, 300, 0, 10, true, 24],
    ]);
    const hour = (await db.query<{ count: number; worst: number }>('SELECT count::int, worst_quality AS worst FROM telemetry_1h')).rows;
    expect(hour).toEqual([{ count: 67, worst: 24 }]);
  });

  it('quarantines a clock-skewed sample: kept for the operator, out of the history and the rollups', async () => {
    const skewed = sample(30 * 86_400_000, 900, { status: 'bad', flags: ['clock-skew'] });
    bed.publish('scada.telemetry.validated', skewed, { key: skewed.deviceId });
    bed.publish('scada.telemetry.validated', skewed, { key: skewed.deviceId }); // redelivered
    bed.publish('scada.telemetry.validated', sample(0, 850), { key: skewed.deviceId });
    await bed.drained();
    expect(bed.deadLetters('scada.telemetry.validated')).toEqual([]);
    expect(await count('telemetry')).toBe(1);
    expect(await count('telemetry_quarantine')).toBe(1);
    const { rows } = await db.query<{ value: number; flags: string[] }>('SELECT value, flags FROM telemetry_quarantine');
    expect(rows).toEqual([{ value: 900, flags: ['clock-skew'] }]);
    const { rows: rolled } = await db.query<{ n: number }>('SELECT sum(count)::int AS n FROM telemetry_1m');
    expect(rolled[0]?.n).toBe(1);
  });

  it('stores alarm transitions, calculations and the audit trail, idempotent on their ids', async () => {
    const alarm: Alarm = {
      timestamp: t0,
      alarmId: 'rtu-w01.tubing_pressure.H',
      deviceId: 'rtu-w01',
      tagId: 'tubing_pressure',
      severity: 'HIGH',
      message: 'Norte-01 tubing_pressure high: 1300 psi (limit 1200 psi)',
      value: 1300,
      threshold: 1200,
      condition: 'H',
      transition: 'raised',
      state: 'UNACK_ACTIVE',
      tenantId: 'acme-energy',
      wellId: 'norte-01',
    };
    bed.publish('scada.alarms', alarm, { key: 'rtu-w01', id: 'alarm-evt-1' });
    bed.publish('scada.alarms', alarm, { key: 'rtu-w01', id: 'alarm-evt-1' });
    bed.publish(
      'well-testing.ipr-calculated',
      { tenantId: 'acme-energy', wellId: 'norte-01', timestamp: t0, kind: 'vogel', absoluteOpenFlowStbd: 1067.1 },
      { key: 'norte-01', id: 'calc-1' },
    );
    bed.publish(
      'system.audit-log',
      {
        auditId: 'audit-1',
        timestamp: t0,
        source: 'flowline/gateway',
        actor: { userId: 'ana@acme', role: 'operator' },
        action: 'scada.alarm.acknowledge',
        resource: 'rtu-w01.tubing_pressure.H',
        outcome: 'success',
      },
      { key: 'audit-1' },
    );
    await bed.drained();

    const alarms = await queryAlarmHistory(db, { tenantId: 'acme-energy', from: t0 - 1, to: t0 + 1 });
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ eventId: 'alarm-evt-1', transition: 'raised', severity: 'HIGH', value: 1300 });
    expect(await queryAlarmHistory(db, { tenantId: 'other-co', from: t0 - 1, to: t0 + 1 })).toEqual([]);
    const calcs = await queryCalculations(db, { tenantId: 'acme-energy', wellId: 'norte-01' });
    expect(calcs).toMatchObject([
      { eventId: 'calc-1', topic: 'well-testing.ipr-calculated', kind: 'vogel', result: { absoluteOpenFlowStbd: 1067.1 } },
    ]);
    expect(await count('audit_log')).toBe(1);
  });

  it('dead-letters the one event PostgreSQL rejects, and stores the rest of its batch', async () => {
    const poison = sample(10_000, 5, { unit: 'psi\u0000' }); // PostgreSQL text cannot hold NUL (SQLSTATE 22021, a data exception)
    for (const s of [sample(0, 1), poison, sample(20_000, 2)]) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
    await bed.drained();
    expect(await count('telemetry')).toBe(2);
    const [letter] = bed.deadLetters('scada.telemetry.validated');
    expect(letter?.headers[deadLetterHeader.reason]).toMatch(/^PermanentError: PostgreSQL rejected the data \(SQLSTATE 22021\)/);
  });
});

describe('persist: history', () => {
  it('chooses the stored resolution that keeps a span within the point budget', () => {
    expect(planHistory(10 * 60_000, 600)).toEqual({ bucketSeconds: 1, resolution: 'raw' });
    expect(planHistory(6 * 3600_000, 500)).toEqual({ bucketSeconds: 60, resolution: '1m' });
    expect(planHistory(3 * 86400_000, 500)).toEqual({ bucketSeconds: 600, resolution: '1m' });
    expect(planHistory(30 * 86400_000, 1000)).toEqual({ bucketSeconds: 3600, resolution: '1h' });
  });

  it('downsamples to min/avg/max buckets, from raw rows or rollups, for the tenant only', async () => {
    // One sample every 10 s for two hours: 720 samples, a ramp 0 → 719.
    const samples = Array.from({ length: 720 }, (_, i) => sample(i * 10_000, i));
    for (const s of samples) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
    await bed.drained();

    const raw = await queryHistory(db, {
      tenantId: 'acme-energy',
      deviceId: 'rtu-w01',
      tagId: 'tubing_pressure',
      from: t0,
      to: t0 + 600_000,
      maxPoints: 60,
    });
    expect(raw).toMatchObject({ resolution: 'raw', bucketSeconds: 10 });
    expect(raw.points).toHaveLength(60);

    const hours = await queryHistory(db, {
      tenantId: 'acme-energy',
      deviceId: 'rtu-w01',
      tagId: 'tubing_pressure',
      from: t0,
      to: t0 + 7_200_000,
      maxPoints: 20,
    });
    expect(hours.resolution).toBe('1m'); // 10-minute buckets read the 1 min rollup (no 5 min one is kept)
    expect(hours.points).toHaveLength(12); // 10-minute buckets over two hours
    expect(hours.points[0]).toEqual({ t: t0, min: 0, max: 59, avg: 29.5, count: 60, compacted: false });
    expect(hours.points.reduce((n, p) => n + p.count, 0)).toBe(720);

    const other = await queryHistory(db, {
      tenantId: 'other-co',
      deviceId: 'rtu-w01',
      tagId: 'tubing_pressure',
      from: t0,
      to: t0 + 7_200_000,
    });
    expect(other.points).toEqual([]);
  });
});
