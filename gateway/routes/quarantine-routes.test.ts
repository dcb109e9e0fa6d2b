import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { until } from '../testing/live-client.ts';

/**
 * The quarantine as the real pipeline fills it: samples posted to the gateway, flagged
 * `clock-skew` by validate, stored by persist in the embedded PostgreSQL's
 * telemetry_quarantine, read back per tenant.
 */
let f: GatewayFixture;
const day = 86_400_000;
const sent = Date.now();
// validate stamps the arrival with the real clock, not the fixture's frozen one: ask up to a little after now.
const window = `from=${sent - 60_000}&to=${sent + 10 * 60_000}`;

interface Quarantine {
  from: number;
  to: number;
  devices: { deviceId: string; wellId: string | null; count: number; firstSeenAt: number; lastSeenAt: number; latestSkewMs: number }[];
  samples: { deviceId: string; tagId: string; ts: number; receivedAt: number; skewMs: number; value: number; flags: string[] }[];
  nextCursor: string | null;
}

const post = async (tenantId: string, samples: object[]) =>
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', tenantId, body: { samples } })).status).toBe(202);
const sample = (deviceId: string, tagId: string, timestamp: number, value: number) => ({ deviceId, tagId, timestamp, value, quality: 192 });

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  // acme: rtu-n01's clock 30 days ahead (five samples), rtu-n02's 40 days behind (one); one good sample.
  await post(
    'acme',
    Array.from({ length: 5 }, (_, i) =>
      sample('rtu-n01', i % 2 ? 'tubing_pressure' : 'casing_pressure', sent + 30 * day + i * 1000, 400 + i),
    ),
  );
  await post('acme', [sample('rtu-n02', 'tubing_pressure', sent - 40 * day, 390), sample('rtu-n02', 'casing_pressure', sent, 410)]);
  // globex: its own device just as wrong, which acme must never see.
  await post('globex', [sample('rtu-s01', 'tubing_pressure', sent + 30 * day, 777)]);
  await f.bed.drained(30_000);
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const read = async (query: string, role: Role = 'viewer', tenantId?: string) => {
  const res = await f.request('GET', `/v1/telemetry/quarantine?${query}`, { role, ...(tenantId ? { tenantId } : {}) });
  expect(res.status, query).toBe(200);
  return (await res.json()) as Quarantine;
};

describe('GET /v1/telemetry/quarantine', () => {
  it('lists each device with a wrong clock: how many samples, how far off, since when', async () => {
    await until(async () => (await read(window)).samples.length === 6, 'persist to quarantine the six skewed samples');
    const { devices, samples } = await read(window);
    expect(devices.map((d) => [d.deviceId, d.wellId, d.count])).toEqual(
      expect.arrayContaining([
        ['rtu-n01', 'n-01', 5],
        ['rtu-n02', 'n-02', 1],
      ]),
    );
    const ahead = devices.find((d) => d.deviceId === 'rtu-n01');
    // ts − received_at: 30 days ahead, give or take the pipeline's few seconds.
    expect(Math.abs((ahead?.latestSkewMs ?? 0) - 30 * day)).toBeLessThan(60_000);
    expect(ahead?.firstSeenAt).toBeGreaterThanOrEqual(sent - 1000);
    expect(ahead?.lastSeenAt).toBeGreaterThanOrEqual(ahead?.firstSeenAt ?? Number.POSITIVE_INFINITY);
    const behind = devices.find((d) => d.deviceId === 'rtu-n02');
    expect(Math.abs((behind?.latestSkewMs ?? 0) + 40 * day)).toBeLessThan(60_000);
    // The good sample is history, not quarantine; every quarantined one says why it is there.
    expect(samples.every((s) => s.flags.includes('clock-skew'))).toBe(true);
    expect(samples.map((s) => s.value)).not.toContain(410);
    for (const s of samples) expect(s.skewMs).toBe(s.ts - s.receivedAt);
  });

  it('never shows another tenant’s quarantined samples', async () => {
    const acme = await read(window, 'admin');
    expect(acme.devices.map((d) => d.deviceId)).not.toContain('rtu-s01');
    expect(acme.samples.map((s) => s.value)).not.toContain(777);
    // The control: globex's row is stored, and globex sees it.
    const globex = await read(window, 'viewer', 'globex');
    expect(globex.devices.map((d) => [d.deviceId, d.count])).toEqual([['rtu-s01', 1]]);
    expect(globex.samples.map((s) => s.deviceId)).toEqual(['rtu-s01']);
    // Asking for globex's device or well by name is a 404, as for any read of it.
    expect((await f.request('GET', `/v1/telemetry/quarantine?deviceId=rtu-s01&${window}`, { role: 'viewer' })).status).toBe(404);
    expect((await f.request('GET', `/v1/telemetry/quarantine?wellId=s-01&${window}`, { role: 'viewer' })).status).toBe(404);
  });

  it('filters by device and by well', async () => {
    const byDevice = await read(`deviceId=rtu-n02&${window}`);
    expect(byDevice.samples.map((s) => s.deviceId)).toEqual(['rtu-n02']);
    expect(byDevice.devices.map((d) => d.deviceId)).toEqual(['rtu-n02']);
    const byWell = await read(`wellId=n-01&${window}`);
    expect(new Set(byWell.samples.map((s) => s.deviceId))).toEqual(new Set(['rtu-n01']));
  });

  it('filters by arrival time, and answers an empty range with nothing', async () => {
    const before = await read(`from=${sent - 2 * day}&to=${sent - day}`);
    expect(before).toMatchObject({ devices: [], samples: [], nextCursor: null });
    const empty = await read(`from=${sent}&to=${sent}`);
    expect(empty).toMatchObject({ from: sent, to: sent, devices: [], samples: [] });
  });

  it('pages by cursor, newest arrival first, each sample exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Quarantine = await read(`limit=2&${window}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.samples.length).toBeLessThanOrEqual(2);
      seen.push(...page.samples.map((s) => `${s.deviceId}/${s.tagId}/${s.ts}`));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    const all = await read(window);
    const arrivals = all.samples.map((s) => s.receivedAt);
    expect(arrivals).toEqual([...arrivals].sort((a, b) => b - a));
  });

  it('is for whoever reads history: people yes, the scada account no', async () => {
    for (const role of ['admin', 'supervisor', 'operator', 'viewer'] as const) await read(window, role);
    expect((await f.request('GET', '/v1/telemetry/quarantine', { role: 'scada' })).status).toBe(403);
    expect((await f.request('GET', '/v1/telemetry/quarantine')).status).toBe(401);
  });

  it('answers every request the document allows: an empty or reversed range, any cursor its pattern allows', async () => {
    const doc = (await (await f.request('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, { get: { parameters: { name: string; schema: { pattern?: string } }[] } }>;
    };
    const pattern = doc.paths['/v1/telemetry/quarantine']?.get.parameters.find((p) => p.name === 'cursor')?.schema.pattern;
    const oddCursor = '9999999999999~Z~z.9:_-~0';
    expect(oddCursor).toMatch(new RegExp(String(pattern)));
    for (const query of ['from=2000&to=1000', `cursor=${oddCursor}`, 'from=2286-11-20T17:46:39.999Z', 'to=0', 'from=0&to=9999999999999']) {
      await read(query);
    }
  });

  it('refuses what the document refuses, saying what was wrong', async () => {
    for (const query of ['limit=0', 'limit=1001', 'cursor=not-a-cursor', 'from=yesterday', 'deviceId=-bad']) {
      const res = await f.request('GET', `/v1/telemetry/quarantine?${query}`, { role: 'viewer' });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: string }).error, query).toMatch(/invalid/i);
    }
  });
});
