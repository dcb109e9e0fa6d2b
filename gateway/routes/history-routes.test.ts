import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { until } from '../testing/live-client.ts';

/** History as persist stores it in (embedded) PostgreSQL, downsampled to what a chart shows. */
let f: GatewayFixture;
// On a minute boundary, so the 1 min rollup's buckets cover exactly the samples.
const start = Math.floor((Date.now() - 11 * 60_000) / 60_000) * 60_000;

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
  await f.bed.drained(30_000);
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const history = async (query: string) => {
  const res = await f.request('GET', `/v1/history?deviceId=rtu-n01&tagId=casing_pressure&${query}`, { role: 'viewer' });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    resolution: string;
    bucketSeconds: number;
    points: { t: number; avg: number; min: number; max: number; count: number }[];
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

  it('serves long spans from a rollup', async () => {
    const answer = await history(`from=${start - 6 * 86_400_000}&to=${start + 600_000}&maxPoints=100`);
    expect(['1m', '1h']).toContain(answer.resolution);
    expect(answer.points.reduce((n, p) => n + p.count, 0)).toBe(120);
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
