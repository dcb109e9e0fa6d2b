import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog, WellTestCreated, WellTestStatus } from '#contracts';
import { insertTests, saveJudgement } from '../../functions/well-test/test-store.ts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * The well-test routes: a start is published on well-testing.test-created and audited; the
 * reads come from the well-test function's tables in (embedded) PostgreSQL, created by
 * persist's migrations and written here through the function's store, as it writes them
 * (the function's own tests judge them: functions/well-test/handler.test.ts).
 */
let f: GatewayFixture;

const started = (testId: string, tenantId: string, wellId: string, createdAt: number): WellTestCreated => ({
  testId,
  wellId,
  tenantId,
  deviceId: 'sep',
  method: 'test-separator',
  createdAt,
  plannedMinutes: 120,
  maxMinutes: 360,
  reservoirPressurePsia: 2500,
  bubblePointPressurePsia: 1800,
  createdBy: 'ana',
});

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  await f.bed.drained(30_000); // persist has migrated
  const db = f.db;
  if (!db) throw new Error('the fixture was asked for a database');
  const t = Date.parse('2026-12-01T12:00:00Z');
  await insertTests(db, [
    started('old', 'acme', 'n-01', t),
    started('new', 'acme', 'n-01', t + 3_600_000),
    started('theirs', 'globex', 's-01', t),
  ]);
  await saveJudgement(db, {
    testId: 'new',
    state: 'running',
    elapsedMinutes: 42,
    readings: 210,
    waitingFor: ['only 42 of 120 minutes'],
    averages: { oilRate: 500 },
    judgedAt: t + 3_600_000 + 42 * 60_000,
  });
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const post = (wellId: string, body: unknown, role: 'operator' | 'viewer' = 'operator') =>
  f.request('POST', `/v1/wells/${wellId}/tests`, { role, body });

describe('well-test routes', () => {
  it('start a test: published on well-testing.test-created with the caller as its author, and audited', async () => {
    const res = await post('n-01', {
      deviceId: 'sep-north',
      plannedMinutes: 90,
      reservoirPressurePsia: 2500,
      bubblePointPressurePsia: 1800,
    });
    expect(res.status).toBe(202);
    const { testId, createdAt } = (await res.json()) as { testId: string; createdAt: number };
    const event = f.bed.events<WellTestCreated>('well-testing.test-created').find((e) => e.data.testId === testId);
    expect(event?.data).toEqual({
      testId,
      wellId: 'n-01',
      tenantId: 'acme',
      fieldId: 'north',
      deviceId: 'sep-north',
      method: 'test-separator',
      createdAt,
      plannedMinutes: 90,
      maxMinutes: 270,
      reservoirPressurePsia: 2500,
      bubblePointPressurePsia: 1800,
      createdBy: expect.any(String),
    });
    const audit = f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);
    expect(audit.find((a) => a.action === 'well-test.start')).toMatchObject({ resource: `n-01/${testId}`, outcome: 'success' });
  });

  it('refuses a device of another well, a maximum below the plan, and another tenant’s well, saying why', async () => {
    const otherWell = await post('n-01', { deviceId: 'rtu-n02', reservoirPressurePsia: 2500, bubblePointPressurePsia: 1800 });
    expect(otherWell.status).toBe(400);
    expect(((await otherWell.json()) as { error: string }).error).toMatch(/device rtu-n02 is neither on well n-01 nor on its field north/);
    const short = await post('n-01', {
      deviceId: 'sep-north',
      plannedMinutes: 120,
      maxMinutes: 60,
      reservoirPressurePsia: 2500,
      bubblePointPressurePsia: 1800,
    });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: string }).error).toMatch(/maxMinutes must be at least plannedMinutes/);
    expect((await post('s-01', { deviceId: 'rtu-s01', reservoirPressurePsia: 2500, bubblePointPressurePsia: 1800 })).status).toBe(404);
    expect((await post('n-01', { deviceId: 'sep-north', reservoirPressurePsia: -1, bubblePointPressurePsia: 1800 })).status).toBe(400);
  });

  it('list a well’s tests newest first, and read one with why it waits; another tenant’s test is not found', async () => {
    const list = await f.request('GET', '/v1/wells/n-01/tests', { role: 'viewer' });
    expect(list.status).toBe(200);
    const { tests } = (await list.json()) as { tests: WellTestStatus[] };
    expect(tests.map((t) => t.testId).slice(0, 2)).toEqual(['new', 'old']);
    const one = await f.request('GET', '/v1/wells/n-01/tests/new', { role: 'viewer' });
    expect(await one.json()).toMatchObject({
      testId: 'new',
      state: 'running',
      elapsedMinutes: 42,
      readings: 210,
      waitingFor: ['only 42 of 120 minutes'],
      averages: { oilRate: 500 },
    });
    expect((await f.request('GET', '/v1/wells/n-01/tests/theirs', { role: 'viewer' })).status).toBe(404);
    expect((await f.request('GET', '/v1/wells/n-02/tests/new', { role: 'viewer' })).status).toBe(404);
  });
});
