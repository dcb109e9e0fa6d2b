import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IprCalculated, topics, type WellTestCompleted, type WellTestCreated, type WellTestStatus } from '#contracts';
import type { Db } from '#runtime';
import { loadFunction, loadManifest } from '../../runtime/load-function.ts';
import { openDb } from '../../runtime/resources/db.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';
import { queryWellTest } from './test-store.ts';
import { wellTestFunction } from './well-test-function.ts';

// well-test and calc on the memory host, PostgreSQL embedded (PGlite), Redis in process. The
// shipped well-test-rules: a 30 min window, rates within 5 % and ±4 %/h, pressure within 2 %
// and ±2 %/h, a reading at least every 5 min. Rates come from separator-01, pressures from the
// wells' RTUs.
let db: Db;
let bed: TestBed;
let redis: Redis;
let subscriber: Redis;
const live: { channel: string; message: { type: string; data: WellTestStatus } }[] = [];
const t0 = Date.parse('2026-12-01T12:00:00Z');
const at = (minutes: number) => t0 + minutes * 60_000;
let clock = at(0);

beforeAll(async () => {
  db = await openDb('memory://');
  redis = new RedisMock() as unknown as Redis;
  subscriber = redis.duplicate();
  subscriber.on('pmessage', (_p: string, channel: string, message: string) => live.push({ channel, message: JSON.parse(message) }));
  await subscriber.psubscribe('live:well:*');
  bed = await createTestBed({
    functions: [
      { manifest: await loadManifest(import.meta.dirname), definition: wellTestFunction({ tickEveryMs: 3_600_000, now: () => clock }) },
      await loadFunction('functions/calc'),
    ],
    db,
    redis,
    partitions: 1,
    publishSchemas: topics,
  });
}, 60_000);
afterAll(async () => {
  await bed.stop();
  subscriber.disconnect();
  await db.close();
});

function created(testId: string, wellId: string, overrides: Partial<WellTestCreated> = {}): WellTestCreated {
  return {
    testId,
    wellId,
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    deviceId: 'separator-01',
    method: 'test-separator',
    createdAt: at(0),
    plannedMinutes: 60,
    maxMinutes: 120,
    reservoirPressurePsia: 2500,
    bubblePointPressurePsia: 1800,
    createdBy: 'ana@acme',
    ...overrides,
  };
}

/** One minute of a test: the separator's three rates and the well RTU's two pressures (and its own rate estimate). */
function minuteOf(well: { wellId: string; deviceId: string }, minute: number, v: { oil: number; bhp?: number }) {
  const t = at(minute);
  const separator = { deviceId: 'separator-01', wellId: undefined, timestamp: t };
  for (const [tagId, value] of [
    ['oil_rate', v.oil],
    ['gas_rate', 250],
    ['water_rate', 100],
  ] as const)
    bed.publish('scada.telemetry.validated', validatedSample({ ...separator, tagId, value, unit: 'bbl/d' }), { key: 'separator-01' });
  const rtu = { deviceId: well.deviceId, wellId: well.wellId, timestamp: t };
  if (v.bhp !== undefined)
    bed.publish('scada.telemetry.validated', validatedSample({ ...rtu, tagId: 'bottomhole_pressure', value: v.bhp }));
  bed.publish('scada.telemetry.validated', validatedSample({ ...rtu, tagId: 'tubing_pressure', value: 150 }));
  // The RTU's own rate estimate is not the test's: only the separator's rates count.
  bed.publish('scada.telemetry.validated', validatedSample({ ...rtu, tagId: 'oil_rate', value: 9_999 }));
}

const statusOf = async (testId: string) => (await queryWellTest(db, { tenantId: 'acme-energy', testId })) as WellTestStatus;
const norte01 = { wellId: 'norte-01', deviceId: 'rtu-w01' };

describe('well-test', () => {
  it('follows a test while it runs, says why it waits, and completes it once steady: calc computes its IPR', async () => {
    bed.publish('well-testing.test-created', created('t-steady', 'norte-01'), { key: 'norte-01' });
    for (let m = 0; m <= 42; m++) minuteOf(norte01, m, { oil: m % 2 ? 505 : 495, bhp: m % 2 ? 1206 : 1194 });
    await bed.drained();
    expect(await statusOf('t-steady')).toMatchObject({ state: 'running', waitingFor: ['only 42 of 60 minutes'], elapsedMinutes: 42 });
    // 43 minutes × (3 separator rates + 2 pressures); the RTU's oil_rate is not among them.
    expect((await statusOf('t-steady')).readings).toBe(43 * 5);
    const update = live.filter((l) => l.channel === 'live:well:norte-01' && l.message.type === 'well-test:update').at(-1);
    expect(update?.message.data).toMatchObject({ testId: 't-steady', state: 'running', waitingFor: ['only 42 of 60 minutes'] });

    // A late reading (another partition's, a slow device) is stored and joins the newest window: the test does not step back.
    const late = validatedSample({ deviceId: 'separator-01', wellId: undefined, tagId: 'gas_rate', value: 250, timestamp: at(5) + 30_000 });
    bed.publish('scada.telemetry.validated', late, { key: 'separator-01' });
    await bed.drained();
    expect(await statusOf('t-steady')).toMatchObject({ waitingFor: ['only 42 of 60 minutes'], elapsedMinutes: 42, readings: 43 * 5 + 1 });

    for (let m = 43; m <= 61; m++) minuteOf(norte01, m, { oil: m % 2 ? 505 : 495, bhp: m % 2 ? 1206 : 1194 });
    await bed.drained();
    const done = await statusOf('t-steady');
    expect(done).toMatchObject({ state: 'completed', waitingFor: [], endedAt: at(60), elapsedMinutes: 60 });
    // The window 30..60 holds 16 even minutes (495, 1194) and 15 odd ones (505, 1206).
    expect(done.averages.oilRate).toBeCloseTo((16 * 495 + 15 * 505) / 31, 6);

    // Minute 61 came after the completion: the test had ended, so it was not judged again.
    expect(bed.events('well-testing.test-completed')).toHaveLength(0);
    await bed.tick('well-test');
    await bed.drained();
    const [completion] = bed.events<WellTestCompleted>('well-testing.test-completed');
    expect(completion?.data).toEqual({
      testId: 't-steady',
      wellId: 'norte-01',
      tenantId: 'acme-energy',
      fieldId: 'campo-norte',
      timestamp: at(60),
      startedAt: at(0),
      stabilizationHours: 1,
      method: 'test-separator',
      // 15495 / 31 = 499.84 bbl/d; 250 Mscf/d over it is 500.16 scf/bbl.
      oilRateStbd: 499.84,
      waterRateBbld: 100,
      gasRateMscfd: 250,
      gasOilRatioScfPerStb: 500.16,
      flowingBottomholePressurePsia: 1199.81,
      reservoirPressurePsia: 2500,
      bubblePointPressurePsia: 1800,
      wellheadPressurePsig: 150,
      testedBy: 'ana@acme',
    });
    const [ipr] = bed.events<IprCalculated>('well-testing.ipr-calculated');
    expect(ipr?.data).toMatchObject({
      testId: 't-steady',
      wellId: 'norte-01',
      testOilRateStbd: 499.84,
      testFlowingBottomholePressurePsia: 1199.81,
    });

    // Published once: the next tick finds the outbox empty.
    await bed.tick('well-test');
    expect(bed.events('well-testing.test-completed')).toHaveLength(1);
  });

  it('a redelivered test-created or sample changes nothing', async () => {
    const again = created('t-steady', 'norte-01', { plannedMinutes: 999, maxMinutes: 999 });
    bed.publish('well-testing.test-created', again, { key: 'norte-01' });
    minuteOf(norte01, 30, { oil: 495, bhp: 1194 });
    await bed.drained();
    expect(await statusOf('t-steady')).toMatchObject({ state: 'completed', plannedMinutes: 60, readings: 61 * 5 + 1 });
  });

  it('a test that never steadies ends inconclusive at its maximum minutes, with why', async () => {
    const norte02 = { wellId: 'norte-02', deviceId: 'rtu-w02' };
    bed.publish('well-testing.test-created', created('t-noisy', 'norte-02', { createdAt: at(200) }), { key: 'norte-02' });
    for (let m = 200; m <= 320; m++) minuteOf(norte02, m, { oil: m % 2 ? 518 : 482, bhp: 1200 });
    await bed.drained();
    expect(await statusOf('t-noisy')).toMatchObject({
      state: 'inconclusive',
      endedAt: at(320),
      waitingFor: ['not steady within its 120 minutes', 'oil rate varied 7.2 % over the last 30 min, needs < 5 %'],
    });
    await bed.tick('well-test');
    expect(bed.events<WellTestCompleted>('well-testing.test-completed').map((e) => e.data.testId)).toEqual(['t-steady']);
  });

  it('a steady test without a bottom-hole gauge ends inconclusive: an IPR needs that pressure', async () => {
    const norte04 = { wellId: 'norte-04', deviceId: 'rtu-w04' };
    bed.publish('well-testing.test-created', created('t-wellhead', 'norte-04', { createdAt: at(400) }), { key: 'norte-04' });
    for (let m = 400; m <= 460; m++) minuteOf(norte04, m, { oil: 500 });
    await bed.drained();
    const status = await statusOf('t-wellhead');
    expect(status.state).toBe('inconclusive');
    expect(status.waitingFor[0]).toMatch(/^steady, but no bottom-hole pressure was measured/);
  });

  it('a test whose readings stop is ended by the tick once its maximum minutes have passed by the clock', async () => {
    bed.publish('well-testing.test-created', created('t-silent', 'norte-03', { createdAt: at(500) }), { key: 'norte-03' });
    // A sample validate judged bad (here a clock a year ahead) is no reading: it neither counts nor ages the test.
    const skewed = { deviceId: 'rtu-w03', wellId: 'norte-03', tagId: 'bottomhole_pressure', timestamp: at(500 + 365 * 1440), value: 1300 };
    bed.publish('scada.telemetry.validated', validatedSample({ ...skewed, status: 'bad', flags: ['clock-skew'] }), { key: 'rtu-w03' });
    await bed.drained();
    expect(await statusOf('t-silent')).toMatchObject({ state: 'running', readings: 0 });
    clock = at(619);
    await bed.tick('well-test');
    expect((await statusOf('t-silent')).state).toBe('running');
    clock = at(621);
    await bed.tick('well-test');
    expect(await statusOf('t-silent')).toMatchObject({
      state: 'inconclusive',
      endedAt: at(621),
      waitingFor: ['not steady within its 120 minutes', 'no readings yet'],
    });
  });

  it('the separator’s readings and the well’s arriving one partition after the other complete the test at the minute it steadied', async () => {
    bed.publish('well-testing.test-created', created('t-interleaved', 'norte-03', { createdAt: at(900) }), { key: 'norte-03' });
    const sample = (deviceId: string, wellId: string | undefined, tagId: string, m: number, value: number) =>
      validatedSample({ deviceId, wellId, tagId, timestamp: at(900 + m), value });
    // The separator's partition is 80 minutes ahead: judged alone, the test lacks a pressure (with no gauge's readings yet, the wellhead's is asked for).
    for (let m = 0; m <= 80; m++) bed.publish('scada.telemetry.validated', sample('separator-01', undefined, 'oil_rate', m, 500));
    await bed.drained();
    expect((await statusOf('t-interleaved')).waitingFor).toEqual(['no wellhead pressure reading over the last 30 min']);
    for (let m = 0; m <= 80; m++) bed.publish('scada.telemetry.validated', sample('rtu-w03', 'norte-03', 'bottomhole_pressure', m, 1300));
    await bed.drained();
    expect(await statusOf('t-interleaved')).toMatchObject({ state: 'completed', endedAt: at(960), elapsedMinutes: 60 });
  });

  it('a completion the broker refused is published by the next tick', async () => {
    const norte03 = { wellId: 'norte-03', deviceId: 'rtu-w03' };
    bed.publish('well-testing.test-created', created('t-retry', 'norte-03', { createdAt: at(700) }), { key: 'norte-03' });
    for (let m = 700; m <= 760; m++) minuteOf(norte03, m, { oil: 400, bhp: 1500 });
    await bed.drained();
    expect((await statusOf('t-retry')).state).toBe('completed');
    await expect(bed.tick('well-test', { fault: 'publish-fails' })).rejects.toThrow(/injected fault/);
    await bed.tick('well-test');
    // The interleaved test's completion went out with this tick too (the outbox is oldest first by when tests ended).
    expect(bed.events<WellTestCompleted>('well-testing.test-completed').map((e) => e.data.testId)).toEqual([
      't-steady',
      't-retry',
      't-interleaved',
    ]);
  });
});
