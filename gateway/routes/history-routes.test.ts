import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompactedMinuteValidated } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { until } from '../testing/live-client.ts';

/** History as persist stores it in (embedded) PostgreSQL, downsampled to what a chart shows. */
let f: GatewayFixture;
// On a minute boundary, so the 1 min rollup's buckets cover exactly the samples.
const start = Math.floor((Date.now() - 11 * 60_000) / 60_000) * 60_000;
const compactedMinute: CompactedMinuteValidated = {
  deviceId: 'rtu-n01',
  tagId: 'casing_pressure',
  sourceProtocol: 'MODBUS',
  firstTimestamp: start + 600_000,
  lastTimestamp: start + 655_000,
  count: 12,
  min: 380,
  max: 420,
  sum: 4_800,
  last: 410,
  worstQuality: 24,
  status: 'bad',
  tenantId: 'acme',
  wellId: 'n-01',
  receivedAt: start + 700_000,
};

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  // Ten minutes of a sample every 5 s, and one spike a bucket's average would hide.
  const samples = Array.from({ length: 120 }, (_, i) => ({
    timestamp: start + i * 5_000,
    deviceId: 'rtu-n01',
    tagId: 'casing_pressure',
    value: i === 60 ? 900 : 400 + (i % 10),
    quality: 192,
  }));
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples } })).status).toBe(202);
  // The minute after them reached the centre only compacted, from an edge buffer, with a bad sample in it.
  f.bed.publish('scada.telemetry.compacted.validated', compactedMinute, { key: compactedMinute.deviceId });
  await f.bed.drained(30_000);
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const history = async (query: string) => {
  const res = await f.request('GET', `/v1/history?deviceId=rtu-n01&tagId=casing_pressure&${query}`, { role: 'viewer' });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    resolution: string;
    bucketSeconds: number;
    points: { t: number; avg: number; min: number; max: number; count: number; compacted: boolean; worstQuality?: number }[];
  };
};

describe('GET /v1/history', () => {
  it('answers raw buckets for a short span, every sample counted once', async () => {
    await until(
      async () => (await history(`from=${start}&to=${start + 600_000}&maxPoints=600`)).points.length === 120,
      'persist to store all samples',
    );
    const answer = await history(`from=${start}&to=${start + 600_000}&maxPoints=600`);
    expect(answer.resolution).toBe('raw');
    expect(answer.points.reduce((n, p) => n + p.count, 0)).toBe(120);
  });

  it('downsamples to the point budget, keeping the spike in the envelope', async () => {
    const answer = await history(`from=${new Date(start).toISOString()}&to=${new Date(start + 600_000).toISOString()}&maxPoints=10`);
    expect(answer.points.length).toBeLessThanOrEqual(11);
    expect(answer.bucketSeconds).toBe(60);
    expect(Math.max(...answer.points.map((p) => p.max))).toBe(900);
    expect(Math.max(...answer.points.map((p) => p.avg))).toBeLessThan(900);
    expect(answer.points.reduce((n, p) => n + p.count, 0)).toBe(120);
  });

  it('serves long spans from a rollup, marking the bucket that holds the compacted minute', async () => {
    const answer = await history(`from=${start - 6 * 86_400_000}&to=${start + 660_000}&maxPoints=100`);
    expect(answer.resolution).toBe('1h');
    expect(answer.points.reduce((n, p) => n + p.count, 0)).toBe(120 + 12);
    const marked = answer.points.filter((p) => p.compacted);
    expect(marked).toHaveLength(1);
    expect(marked[0]?.worstQuality).toBe(24);
  });

  it('answers a minute compacted at the edge as one marked point beside the raw buckets', async () => {
    const answer = await history(`from=${start}&to=${start + 660_000}&maxPoints=660`);
    expect(answer.resolution).toBe('raw');
    expect(answer.points).toHaveLength(121);
    expect(answer.points.filter((p) => !p.compacted).every((p) => p.worstQuality === undefined)).toBe(true);
    expect(answer.points.at(-1)).toEqual({
      t: start + 600_000,
      avg: 400,
      min: 380,
      max: 420,
      count: 12,
      compacted: true,
      worstQuality: 24,
    });
  });

  it('defaults to the last hour', async () => {
    const answer = (await (await f.request('GET', '/v1/history?deviceId=rtu-n01&tagId=casing_pressure', { role: 'viewer' })).json()) as {
      from: number;
      to: number;
    };
    expect(answer.to - answer.from).toBe(3_600_000);
    expect(answer.to).toBe(f.now());
  });
});

describe('GET /v1/wells/{wellId}/calculations', () => {
  it('answers the well’s results, empty when there are none yet', async () => {
    const res = await f.request('GET', '/v1/wells/n-01/calculations?topic=production.calculations', { role: 'viewer' });
    expect(await res.json()).toEqual({ wellId: 'n-01', calculations: [] });
  });
});
