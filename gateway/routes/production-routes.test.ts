import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DailyProduction } from '#contracts';
import { insertReport } from '../../functions/daily-production/production-store.ts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * The production routes over the reports' tables in (embedded) PostgreSQL, created by persist's
 * migrations and written here through the daily-production store, as the function writes them
 * (the function's own tests compute them: functions/daily-production/handler.test.ts).
 */
let f: GatewayFixture;

const report = (fieldId: string, tenantId: string, version: number, oil: number): DailyProduction => ({
  tenantId,
  fieldId,
  day: '2026-03-07',
  version,
  timeZone: 'America/New_York',
  contractHour: '06:00',
  start: Date.parse('2026-03-07T11:00:00Z'),
  end: Date.parse('2026-03-08T10:00:00Z'),
  hours: 23,
  utcOffsetAtStart: '-05:00',
  utcOffsetAtEnd: '-04:00',
  computedAt: Date.parse('2026-03-08T10:15:00Z') + version * 60_000,
  ...(version > 1 ? { revises: { version: version - 1, changed: [`n-01 oil measured 880 → ${oil}`] } } : {}),
  wells: ['n-01', 'n-02'].map((wellId) => ({
    wellId,
    hoursInStatus: { producing: 23 },
    uptimeHours: 23,
    measured: {
      oil: { method: 'totalizer' as const, volume: wellId === 'n-01' ? oil : 500, samples: 24, uncoveredHours: 0, rollovers: 0, resets: 0 },
    },
    testId: `test-${wellId}`,
    theoretical: { oil: 900 },
    allocated: { oil: 700 },
  })),
  fiscal: { oil: { method: 'rate', volume: 1400, samples: 140, uncoveredHours: 0 } },
  allocation: { oil: { allocated: true, fiscal: 1400, theoreticalTotal: 1800, factor: 0.777778 } },
});

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  await f.bed.drained(30_000); // persist has migrated
  const db = f.db;
  if (!db) throw new Error('the fixture was asked for a database');
  for (const r of [report('north', 'acme', 1, 880), report('north', 'acme', 2, 920), report('south', 'globex', 1, 100)])
    await insertReport(db, r);
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const get = async (path: string, role: 'viewer' | 'operator' = 'viewer') => {
  const res = await f.request('GET', path, { role });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('production routes', () => {
  it('answer a day with the latest version of each of the caller’s fields only', async () => {
    const { status, body } = await get('/v1/production/daily?date=2026-03-07');
    expect(status).toBe(200);
    const reports = body.reports as DailyProduction[];
    expect(reports.map((r) => [r.fieldId, r.version])).toEqual([['north', 2]]);
    expect(reports[0]?.wells[0]?.measured.oil?.volume).toBe(920);
    expect((await get('/v1/production/daily?date=2026-03-06')).body.reports).toEqual([]);
  });

  it('keep every version of a day, each saying what it revised', async () => {
    const { status, body } = await get('/v1/fields/north/production/daily/2026-03-07/versions');
    expect(status).toBe(200);
    const versions = body.versions as DailyProduction[];
    expect(versions.map((r) => [r.version, r.revises?.changed])).toEqual([
      [1, undefined],
      [2, ['n-01 oil measured 880 → 920']],
    ]);
  });

  it('answer a well’s days with its share and its field’s allocation', async () => {
    const { status, body } = await get('/v1/wells/n-01/production/daily?from=2026-03-01&to=2026-03-31');
    expect(status).toBe(200);
    expect(body).toMatchObject({ wellId: 'n-01', fieldId: 'north', from: '2026-03-01', to: '2026-03-31' });
    expect(body.days).toEqual([
      expect.objectContaining({
        day: '2026-03-07',
        version: 2,
        hours: 23,
        well: expect.objectContaining({ wellId: 'n-01', allocated: { oil: 700 } }),
      }),
    ]);
  });

  it('refuse a date the calendar does not have, a reversed range and another tenant’s field, saying why', async () => {
    expect(await get('/v1/production/daily?date=2026-02-30')).toEqual({
      status: 400,
      body: expect.objectContaining({ error: 'invalid query: date 2026-02-30 is not a day of the calendar' }),
    });
    expect((await get('/v1/production/daily?date=7-3-2026')).status).toBe(400);
    expect((await get('/v1/wells/n-01/production/daily?from=2026-03-08&to=2026-03-01')).body.error).toMatch(/comes after/);
    expect((await get('/v1/production/daily?date=2026-03-07&fieldId=south')).status).toBe(404);
  });
});
