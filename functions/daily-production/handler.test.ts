import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DailyProduction, topics, type WellStatusChanged, type WellTestCompleted } from '#contracts';
import type { Db } from '#runtime';
import { loadManifest } from '../../runtime/load-function.ts';
import { openDb } from '../../runtime/resources/db.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';
import { dailyProductionFunction } from './daily-production-function.ts';
import { queryReportVersions, upsertReadings } from './production-store.ts';

// The shipped example documents: Campo Norte reports 06:00–06:00 America/Bogota (11:00–11:00 UTC);
// each well's oil by its totalizer (oil_total, wrapping at 270144637.7 bbl) or else its oil_rate;
// the separator's oil_rate stands in for the fiscal meter. PostgreSQL is PGlite (embedded).
let db: Db;
let bed: TestBed;
const day = '2026-12-01';
const start = Date.parse('2026-12-01T11:00:00Z');
const h = (hours: number) => start + hours * 3_600_000;
const topic = 'production.daily-production';

beforeAll(async () => {
  db = await openDb('memory://');
  // The tick is run by hand (bed.tick), on a clock a week after the day: every day shown has ended.
  const definition = dailyProductionFunction({ tickEveryMs: 3_600_000, now: () => h(7 * 24) });
  bed = await createTestBed({
    functions: [{ manifest: await loadManifest(import.meta.dirname), definition }],
    db,
    redis: new RedisMock() as unknown as Redis,
    partitions: 1,
    publishSchemas: topics,
  });
}, 60_000);
afterAll(async () => {
  await bed.stop();
  await db.close();
});

const reading = (deviceId: string, wellId: string | undefined, tagId: string, at: number, value: number) =>
  validatedSample({ deviceId, tagId, timestamp: at, value, unit: 'bbl', ...(wellId ? { wellId } : { wellId: undefined }) });

function status(wellId: string, since: number, s: WellStatusChanged['status'], reason?: WellStatusChanged['reason']): WellStatusChanged {
  return {
    wellId,
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    status: s,
    ...(reason ? { reason } : {}),
    since,
    confirmedAt: since + 30_000,
    profile: 'esp-oil',
    values: {},
  };
}

function test(wellId: string, oilRateStbd: number): WellTestCompleted {
  return {
    testId: `test-${wellId}`,
    wellId,
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    timestamp: h(-72),
    oilRateStbd,
    flowingBottomholePressurePsia: 1200,
    reservoirPressurePsia: 2500,
    bubblePointPressurePsia: 1800,
  };
}

const reportsOfDay = () => bed.events<DailyProduction>(topic).filter((e) => e.data.day === day);

describe('daily-production', () => {
  it('reports the day per well: volumes by totalizer (across a rollover) or rate, uptime, and the fiscal volume allocated by tests', async () => {
    // norte-01's totalizer: +500, a wrap (270144637.7 − 270144500 + 163.7 = 301.4), +636.3; the 06:00 reading is still at the edge.
    for (const [hours, value] of [
      [0, 270_144_000],
      [6, 270_144_500],
      [12, 163.7],
      [18, 800],
    ] as const)
      bed.publish('scada.telemetry.validated', reading('rtu-w01', 'norte-01', 'oil_total', h(hours), value), { key: 'rtu-w01' });
    // norte-02 has no totalizer readings: its oil_rate, every 10 min, 800 bbl/d; the separator's, 3000 bbl/d.
    for (let minutes = -10; minutes <= 24 * 60 + 10; minutes += 10) {
      bed.publish('scada.telemetry.validated', reading('rtu-w02', 'norte-02', 'oil_rate', h(minutes / 60), 800), { key: 'rtu-w02' });
      bed.publish('scada.telemetry.validated', reading('separator-01', undefined, 'oil_rate', h(minutes / 60), 3000), {
        key: 'separator-01',
      });
    }
    // A tag no meter reads, and a bad reading: neither is stored.
    bed.publish('scada.telemetry.validated', reading('rtu-w01', 'norte-01', 'tubing_pressure', h(1), 900), { key: 'rtu-w01' });
    bed.publish(
      'scada.telemetry.validated',
      { ...reading('rtu-w01', 'norte-01', 'oil_total', h(3), 1), status: 'bad' },
      { key: 'rtu-w01' },
    );

    // norte-01 trips from 18:00 to 00:00 local (12 h to 18 h into the day): 18 h up. norte-03 is shut in all day.
    for (const change of [
      status('norte-01', h(-30), 'producing'),
      status('norte-01', h(12), 'down', 'esp-trip'),
      status('norte-01', h(18), 'producing'),
      status('norte-02', h(-30), 'producing'),
      status('norte-03', h(-30), 'shut-in'),
      status('norte-04', h(-30), 'producing'),
    ])
      bed.publish('production.well-status-changed', change, { key: change.wellId });
    for (const t of [test('norte-01', 2000), test('norte-02', 800), test('norte-04', 1000)])
      bed.publish('well-testing.test-completed', t, { key: t.wellId });
    await bed.drained(20_000);
    await bed.tick('daily-production');

    const [first, ...more] = reportsOfDay();
    expect(more).toEqual([]);
    const report = first?.data as DailyProduction;
    expect(report).toMatchObject({
      fieldId: 'campo-norte',
      version: 1,
      start,
      end: h(24),
      hours: 24,
      timeZone: 'America/Bogota',
      contractHour: '06:00',
      utcOffsetAtStart: '-05:00',
    });
    const well = (id: string) => report.wells.find((w) => w.wellId === id);
    expect(report.wells.map((w) => w.wellId)).toEqual(['norte-01', 'norte-02', 'norte-03', 'norte-04']);
    // 500 + 301.4 + 636.3, the last 6 h uncovered until the 06:00 reading comes.
    expect(well('norte-01')?.measured.oil).toEqual({
      method: 'totalizer',
      volume: 1437.7,
      samples: 4,
      uncoveredHours: 6,
      rollovers: 1,
      resets: 0,
    });
    expect(well('norte-01')).toMatchObject({ hoursInStatus: { producing: 18, down: 6 }, uptimeHours: 18 });
    expect(well('norte-02')?.measured.oil).toMatchObject({ method: 'rate', volume: 800, uncoveredHours: 0 });
    expect(well('norte-03')?.measured.oil).toEqual({ method: 'none', volume: null, samples: 0, uncoveredHours: 24 });
    // Theoretical = test rate × uptime / 24: 2000 × 18/24 = 1500, 800, 0 (shut in, no test needed), 1000. Σ = 3300.
    // Fiscal 3000: factor 3000/3300 = 0.909091; 1363.636 + 727.273 + 0 + 909.091 = 3000.
    expect(report.fiscal.oil).toMatchObject({ method: 'rate', volume: 3000 });
    expect(report.allocation.oil).toEqual({ allocated: true, fiscal: 3000, theoreticalTotal: 3300, factor: 0.909091 });
    expect(report.wells.map((w) => [w.wellId, w.theoretical.oil, w.allocated.oil])).toEqual([
      ['norte-01', 1500, 1363.636],
      ['norte-02', 800, 727.273],
      ['norte-03', undefined, 0],
      ['norte-04', 1000, 909.091],
    ]);
    // The field's gas and water meters had nothing that day: not allocated, and said why.
    expect(report.allocation.gas).toMatchObject({ allocated: false, reason: expect.stringMatching(/fiscal meter had no readings/) });
  });

  it('publishes a revised report, version 2, when a late reading changes the day; the first version is kept', async () => {
    // The edge held norte-01's 06:00 reading through a WAN cut: +500 more.
    const late = reading('rtu-w01', 'norte-01', 'oil_total', h(24), 1300);
    const event = bed.publish('scada.telemetry.validated', late, { key: 'rtu-w01' });
    await bed.drained(20_000);
    await bed.tick('daily-production');

    const versions = reportsOfDay().map((e) => e.data);
    expect(versions.map((r) => r.version)).toEqual([1, 2]);
    const revised = versions[1] as DailyProduction;
    expect(revised.wells[0]?.measured.oil).toMatchObject({ volume: 1937.7, uncoveredHours: 0 });
    expect(revised.revises).toEqual({ version: 1, changed: ['norte-01 oil measured 1437.7 → 1937.7'] });
    // The allocation rests on the fiscal meter and the tests, not on the well's own meter: unchanged.
    expect(revised.allocation.oil).toEqual(versions[0]?.allocation.oil);
    const stored = await queryReportVersions(db, { tenantId: 'acme-energy', fieldId: 'campo-norte', day });
    expect(stored.map((r) => [r.version, r.wells[0]?.measured.oil?.volume])).toEqual([
      [1, 1437.7],
      [2, 1937.7],
    ]);

    // The same reading again (a redelivery) and a tick: nothing new, nothing republished.
    bed.publish('scada.telemetry.validated', late, { key: 'rtu-w01', id: event.id });
    await bed.drained(20_000);
    await bed.tick('daily-production');
    expect(reportsOfDay().map((e) => e.data.version)).toEqual([1, 2]);
  });

  it('revises the day when a reading is corrected, and refuses to rewrite a stored version', async () => {
    // The separator's 12:00 rate was entered wrong: 3000 → 4440 bbl/d. Over its two 10-minute
    // intervals the trapezoid adds (1440/2) × (20 min / 1 day) = 10 bbl.
    bed.publish('scada.telemetry.validated', reading('separator-01', undefined, 'oil_rate', h(12), 4440), { key: 'separator-01' });
    await bed.drained(20_000);
    await bed.tick('daily-production');
    const latest = reportsOfDay().at(-1)?.data as DailyProduction;
    expect(latest.version).toBe(3);
    expect(latest.fiscal.oil?.volume).toBe(3010);
    expect(latest.revises?.changed).toContain('fiscal oil 3000 → 3010');
    await expect(
      db.query(`UPDATE daily_production_reports SET report = '{}'::jsonb WHERE field_id = 'campo-norte' AND day = $1 AND version = 1`, [
        day,
      ]),
    ).rejects.toThrow(/kept as computed: store a new version instead/);
  });

  it('publishes again what the broker did not take, under the same id', async () => {
    bed.publish('scada.telemetry.validated', reading('rtu-w02', 'norte-02', 'oil_rate', h(6), 1520), { key: 'rtu-w02' });
    await bed.drained(20_000);
    await expect(bed.tick('daily-production', { fault: 'publish-fails' })).rejects.toThrow(/injected fault/);
    expect(reportsOfDay().map((e) => e.data.version)).toEqual([1, 2, 3]);
    await bed.tick('daily-production');
    const versions = reportsOfDay();
    expect(versions.map((e) => e.data.version)).toEqual([1, 2, 3, 4]);
    await bed.tick('daily-production');
    expect(reportsOfDay()).toHaveLength(4);
  });

  it('does not account a reading older than the days kept, and deletes those readings', async () => {
    // The clock is 8 December 2026; readings are kept 120 days (the example document's default).
    const old = Date.parse('2026-07-01T15:00:00Z');
    bed.publish('scada.telemetry.validated', reading('rtu-w02', 'norte-02', 'oil_rate', old, 900), { key: 'rtu-w02' });
    await bed.drained(20_000);
    const stored = async (t: number) =>
      (await db.query('SELECT 1 FROM production_readings WHERE device_id = $1 AND ts = $2', ['rtu-w02', new Date(t).toISOString()])).rows
        .length;
    expect(await stored(old)).toBe(0);
    expect((await db.query("SELECT 1 FROM production_days_pending WHERE day = '2026-07-01'")).rows).toEqual([]);
    // One stored before it aged (as by an earlier run) is deleted by the tick.
    await upsertReadings(db, [
      {
        tenantId: 'acme-energy',
        fieldId: 'campo-norte',
        assetId: 'norte-02',
        deviceId: 'rtu-w02',
        tagId: 'oil_rate',
        t: old,
        value: 900,
        eventId: 'aged',
      },
    ]);
    expect(await stored(old)).toBe(1);
    await bed.tick('daily-production');
    expect(await stored(old)).toBe(0);
    expect(await stored(h(12))).toBe(1);
  });
});
