import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WellStatusChanged } from '#contracts';
import type { Db } from '#runtime';
import { loadFunction } from '../../runtime/load-function.ts';
import { openDb } from '../../runtime/resources/db.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { queryStatusHours, queryStatusTimeline } from './well-status-store.ts';

// PostgreSQL itself, embedded (PGlite), written by the real persist function.
let db: Db;
let bed: TestBed;
const day = Date.UTC(2026, 11, 5);
const h = (hours: number) => day + hours * 3_600_000;

beforeAll(async () => {
  db = await openDb('memory://');
  bed = await createTestBed({ functions: [await loadFunction('functions/persist')], db, partitions: 1 });
}, 60_000);
afterAll(async () => {
  await bed.stop();
  await db.close();
});

function change(at: number, status: WellStatusChanged['status'], extra: Partial<WellStatusChanged> = {}): WellStatusChanged {
  return {
    wellId: 'norte-01',
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    status,
    since: at,
    confirmedAt: at + 120_000,
    profile: 'esp-oil',
    values: { oil_rate: status === 'producing' ? 450 : 0 },
    ...extra,
  };
}

describe('persist: well status changes', () => {
  beforeAll(async () => {
    const events = [
      change(h(0), 'producing'),
      change(h(6), 'down', { reason: 'esp-trip', previousStatus: 'producing' }),
      change(h(9.5), 'producing', { previousStatus: 'down', previousReason: 'esp-trip' }),
      change(h(46), 'shut-in', { previousStatus: 'producing' }),
      // Another well and another tenant's well on the same days: never counted here.
      change(h(1), 'down', { wellId: 'norte-02', reason: 'no-flow' }),
      change(h(1), 'down', { tenantId: 'globex', reason: 'no-flow' }),
    ].map((data) => bed.publish('production.well-status-changed', data, { key: data.wellId }));
    // A redelivery of the trip: stored once.
    const trip = events[1] as { id: string; data: unknown };
    bed.publish('production.well-status-changed', trip.data, { key: 'norte-01', id: trip.id });
    await bed.drained();
  });

  it('stores each change once', async () => {
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM well_status_changes WHERE well_id = 'norte-01'");
    expect(rows[0]?.n).toBe(5); // four of norte-01's own, one of globex's well of the same name
    expect(bed.deadLetters('production.well-status-changed')).toEqual([]);
  });

  it('gives the hours in each status per UTC day, the open status counted until now', async () => {
    const hours = await queryStatusHours(db, { tenantId: 'acme-energy', wellId: 'norte-01', from: h(0), to: h(72), now: h(50) });
    expect(hours).toEqual([
      { day: '2026-12-05', hours: { down: 3.5, producing: 20.5 }, downHours: { 'esp-trip': 3.5 } },
      { day: '2026-12-06', hours: { producing: 22, 'shut-in': 2 }, downHours: {} },
      { day: '2026-12-07', hours: { 'shut-in': 2 }, downHours: {} },
    ]);
    // Cut to the range asked: from 08:00 on the first day.
    const cut = await queryStatusHours(db, { tenantId: 'acme-energy', wellId: 'norte-01', from: h(8), to: h(24), now: h(50) });
    expect(cut).toEqual([{ day: '2026-12-05', hours: { down: 1.5, producing: 14.5 }, downHours: { 'esp-trip': 1.5 } }]);
  });

  it('gives the timeline of the statuses that overlap a range', async () => {
    const timeline = await queryStatusTimeline(db, {
      tenantId: 'acme-energy',
      wellId: 'norte-01',
      from: h(8),
      to: h(47),
      now: h(50),
      limit: 100,
    });
    expect(timeline).toEqual([
      { status: 'down', reason: 'esp-trip', from: h(6), to: h(9.5) },
      { status: 'producing', from: h(9.5), to: h(46) },
      { status: 'shut-in', from: h(46) },
    ]);
    const latest = await queryStatusTimeline(db, {
      tenantId: 'acme-energy',
      wellId: 'norte-01',
      from: h(0),
      to: h(72),
      now: h(50),
      limit: 2,
    });
    expect(latest.map((i) => i.status)).toEqual(['producing', 'shut-in']);
  });
});
