import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompactedMinuteValidated } from '#contracts';
import type { Db } from '#runtime';
import { openDb } from '../../runtime/resources/db.ts';
import { compactedPiece, validatedSample } from '../../tests/support/telemetry-samples.ts';
import { insertCompactedMinutes } from './compacted-store.ts';
import { type HistoryQuery, queryHistory } from './history.ts';
import { migrate } from './migrate.ts';
import { insertTelemetry } from './telemetry-store.ts';

// Embedded PostgreSQL (PGlite), migrated natively as persist does it.
let db: Db;
const t0 = Date.UTC(2026, 10, 23, 10, 0, 0);

const piece = (tagId: string, from: number, to: number, fields: Partial<CompactedMinuteValidated>) =>
  compactedPiece({
    tagId,
    firstTimestamp: t0 + from,
    lastTimestamp: t0 + to,
    worstQuality: 84,
    status: 'suspect',
    receivedAt: t0 + 3_600_000,
    ...fields,
  });

/**
 * One tag's outage: minute 0 half raw (sent before the link fell) and half compacted, minute 1
 * compacted whole with a bad sample in it, minute 2 raw again (the link back).
 */
async function store(tagId: string, compactedFlavor: 'native' | 'timescale') {
  const raw = [
    [0, 100],
    [10_000, 200],
    [120_000, 300],
    [130_000, 310],
  ].map(([at, value]) => validatedSample({ tagId, timestamp: t0 + (at as number), value: value as number }));
  await insertTelemetry(db, raw, 'native');
  // With TimescaleDB persist stores the pieces without touching the rollups (continuous
  // aggregates cannot take them): inserting with that flavor leaves these rollups as it would.
  await insertCompactedMinutes(
    db,
    [
      piece(tagId, 20_000, 40_000, {}),
      piece(tagId, 60_000, 89_000, { count: 30, min: 0, max: 10, sum: 150, worstQuality: 192, status: 'good' }),
      piece(tagId, 90_000, 119_000, { count: 30, min: 1, max: 9, sum: 150, worstQuality: 24, status: 'bad' }),
    ],
    compactedFlavor,
  );
}

beforeAll(async () => {
  db = await openDb('memory://');
  await migrate(db);
  await store('tubing_pressure', 'native');
  await store('casing_pressure', 'timescale');
}, 60_000);
afterAll(() => db.close());

const query = (tagId: string, spanMs: number, maxPoints: number): HistoryQuery => ({
  tenantId: 'acme-energy',
  deviceId: 'rtu-w01',
  tagId,
  from: t0,
  to: t0 + spanMs,
  maxPoints,
});

describe('history of minutes compacted at the edge', () => {
  it('answers each compacted minute at raw resolution as one point of its own, marked, beside the raw samples', async () => {
    const raw = await queryHistory(db, query('tubing_pressure', 180_000, 180));
    expect(raw).toMatchObject({ resolution: 'raw', bucketSeconds: 1 });
    expect(raw.points.map((p) => [p.t - t0, p.count, p.min, p.max, p.avg, p.compacted, p.worstQuality])).toEqual([
      [0, 1, 100, 100, 100, false, undefined],
      [0, 3, 50, 400, 200, true, 84],
      [10_000, 1, 200, 200, 200, false, undefined],
      [60_000, 60, 0, 10, 5, true, 24], // two pieces of one minute: one point, the worst quality of both
      [120_000, 1, 300, 300, 300, false, undefined],
      [130_000, 1, 310, 310, 310, false, undefined],
    ]);
    expect(raw.points[0]).not.toHaveProperty('worstQuality');
  });

  it('marks rollup buckets that hold compacted minutes, with their worst quality', async () => {
    const minutes = await queryHistory(db, query('tubing_pressure', 6 * 3_600_000, 500));
    expect(minutes).toMatchObject({ resolution: '1m', bucketSeconds: 60 });
    expect(minutes.points).toEqual([
      { t: t0, count: 5, min: 50, max: 400, avg: 180, compacted: true, worstQuality: 84 },
      { t: t0 + 60_000, count: 60, min: 0, max: 10, avg: 5, compacted: true, worstQuality: 24 },
      { t: t0 + 120_000, count: 2, min: 300, max: 310, avg: 305, compacted: false },
    ]);
    const hours = await queryHistory(db, query('tubing_pressure', 30 * 86_400_000, 500));
    expect(hours.resolution).toBe('1h');
    expect(hours.points).toEqual([{ t: t0, count: 67, min: 0, max: 400, avg: 1810 / 67, compacted: true, worstQuality: 24 }]);
  });

  it('gives the same answer where the rollups cannot hold the pieces (TimescaleDB)', async () => {
    for (const [span, points] of [
      [180_000, 180],
      [6 * 3_600_000, 500],
      [30 * 86_400_000, 500],
    ] as const) {
      const native = await queryHistory(db, query('tubing_pressure', span, points), 'native');
      const timescale = await queryHistory(db, query('casing_pressure', span, points), 'timescale');
      expect(timescale).toEqual(native);
    }
  });

  it('keeps compacted minutes to their tenant', async () => {
    for (const span of [180_000, 6 * 3_600_000]) {
      const other = await queryHistory(db, { ...query('tubing_pressure', span, 180), tenantId: 'other-co' });
      expect(other.points).toEqual([]);
    }
  });
});
