import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type GatewayFixture, gatewayFixture } from './testing/gateway-fixture.ts';
import { until } from './testing/live-client.ts';

/**
 * Two tenants, acme and globex, each with a well in alarm. Whatever acme's people and
 * machines ask for, they see only acme's assets, values, history and alarms; whatever
 * they try to write into globex's is refused, and nothing reaches the bus. Another
 * tenant's asset is answered exactly like one that does not exist.
 */
let f: GatewayFixture;
const t0 = Date.now() - 2_000;

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  const samples = (deviceId: string) => [
    { timestamp: t0, deviceId, tagId: 'tubing_pressure', value: 900, quality: 192 },
    { timestamp: t0 + 1000, deviceId, tagId: 'tubing_pressure', value: 1300, quality: 192 },
  ];
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples: samples('rtu-n01') } })).status).toBe(202);
  expect(
    (await f.request('POST', '/v1/telemetry', { role: 'scada', tenantId: 'globex', body: { samples: samples('rtu-s01') } })).status,
  ).toBe(202);
  await f.bed.drained();
  await until(
    async () => (await f.redis.zcard('alarms:active:globex')) === 1 && (await f.redis.zcard('alarms:active:acme')) === 1,
    'an alarm per tenant',
  );
  await f.bed.drained();
  await f.redis.lpush(
    'notify:failures:globex',
    JSON.stringify({
      time: new Date().toISOString(),
      tenantId: 'globex',
      channel: 'x',
      kind: 'alarm',
      notificationId: 'n',
      error: 'e',
      attempts: 1,
    }),
  );
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } });
const get = async (path: string) => json(await f.request('GET', path, { role: 'admin' }));
const post = async (path: string, body: unknown, role: 'admin' | 'scada' = 'admin') => json(await f.request('POST', path, { role, body }));
const published = (topic: string) => f.bed.events(topic).length;

describe('reads see only the caller’s tenant', () => {
  it('devices and assets', async () => {
    const devices = (await get('/v1/devices')).body.devices as { id: string }[];
    expect(devices.map((d) => d.id).sort()).toEqual(['rtu-n01', 'rtu-n02', 'sep-north']);
    const assets = (await get('/v1/assets')).body as { wells: { id: string }[]; fields: { id: string }[] };
    expect(assets.wells.map((w) => w.id)).toEqual(['n-01', 'n-02']);
    expect(assets.fields.map((x) => x.id)).toEqual(['north']);
  });

  it('another tenant’s asset is answered as one that does not exist', async () => {
    expect(await get('/v1/devices/rtu-s01')).toEqual({
      status: 404,
      body: expect.objectContaining({ error: 'no device "rtu-s01" in your tenant' }),
    });
    expect(await get('/v1/devices/rtu-nowhere')).toEqual({
      status: 404,
      body: expect.objectContaining({ error: 'no device "rtu-nowhere" in your tenant' }),
    });
    expect((await get('/v1/current?assetIds=s-01')).status).toBe(404);
    expect((await get('/v1/history?deviceId=rtu-s01&tagId=tubing_pressure')).status).toBe(404);
    expect((await get('/v1/wells/s-01/calculations')).status).toBe(404);
    expect((await get('/v1/wells/s-01/status')).status).toBe(404);
    expect((await get('/v1/wells/s-01/production/daily')).status).toBe(404);
    expect((await get('/v1/wells/s-01/tests')).status).toBe(404);
    expect((await get('/v1/fields/south/production/daily/2026-03-07/versions')).status).toBe(404);
    expect((await get('/v1/alarms?wellId=s-01')).status).toBe(404);
  });

  it('current values', async () => {
    const current = (await get('/v1/current')).body as { assets: { assetId: string; tags: { deviceId: string }[] }[] };
    expect(current.assets.map((a) => a.assetId)).toEqual(['n-01', 'n-02', 'north']);
    expect(current.assets.flatMap((a) => a.tags.map((t) => t.deviceId))).toEqual(['rtu-n01']);
  });

  it('alarms, active and past', async () => {
    const alarms = (await get('/v1/alarms')).body as { active: { tenantId: string; alarmId: string }[] };
    expect(alarms.active.map((a) => a.alarmId)).toEqual(['rtu-n01.tubing_pressure.H']);
    await until(async () => ((await get('/v1/alarms/history')).body.events as unknown[]).length > 0, 'alarm history persisted');
    const history = (await get('/v1/alarms/history')).body.events as { deviceId: string }[];
    expect(history.every((e) => e.deviceId === 'rtu-n01')).toBe(true);
  });

  it('notification failures', async () => {
    expect((await get('/v1/notifications/failures')).body.failures).toEqual([]);
    const globex = await json(await f.request('GET', '/v1/notifications/failures', { role: 'viewer', tenantId: 'globex' }));
    expect((globex.body.failures as unknown[]).length).toBe(1);
  });
});

describe('writes into another tenant are refused and publish nothing', () => {
  it('acknowledging or shelving its alarm', async () => {
    const before = published('scada.alarm-actions');
    expect(await post('/v1/alarms/rtu-s01.tubing_pressure.H/acknowledge', {})).toMatchObject({
      status: 404,
      body: { error: 'no alarm "rtu-s01.tubing_pressure.H" in your tenant' },
    });
    expect((await post('/v1/alarms/rtu-s01.tubing_pressure.H/shelve', { durationSeconds: 600, comment: 'x' })).status).toBe(404);
    expect(published('scada.alarm-actions')).toBe(before);
  });

  it('ingesting its devices’ telemetry', async () => {
    const before = published('scada.telemetry.raw');
    const answer = await post(
      '/v1/telemetry',
      { samples: [{ timestamp: t0, deviceId: 'rtu-s01', tagId: 'x', value: 1, quality: 192 }] },
      'scada',
    );
    expect(answer).toMatchObject({ status: 422, body: { error: expect.stringContaining('no device "rtu-s01" in your tenant') } });
    expect(published('scada.telemetry.raw')).toBe(before);
  });

  it('publishing events about its wells, or in its name', async () => {
    const test = {
      testId: 't',
      timestamp: t0,
      oilRateStbd: 400,
      flowingBottomholePressurePsia: 1500,
      reservoirPressurePsia: 3000,
      bubblePointPressurePsia: 2000,
    };
    const before = published('well-testing.test-completed');
    expect((await post('/v1/events/well-testing.test-completed', { data: { ...test, wellId: 's-01', tenantId: 'acme' } })).status).toBe(
      404,
    );
    expect(await post('/v1/events/well-testing.test-completed', { data: { ...test, wellId: 'n-01', tenantId: 'globex' } })).toMatchObject({
      status: 403,
      body: { error: 'data.tenantId is "globex", but you act for tenant "acme"' },
    });
    expect(published('well-testing.test-completed')).toBe(before);
  });

  it('invoking a function with its data, or commanding its devices', async () => {
    const sample = { timestamp: t0, deviceId: 'rtu-s01', tagId: 'x', value: 1, quality: 192, sourceProtocol: 'HTTP' };
    expect((await post('/v1/functions/validate/invoke', { data: sample })).status).toBe(404);
    const before = published('scada.commands');
    expect((await post('/v1/commands', { siteId: 'pad', deviceId: 'rtu-s01', tagId: 'x', value: 1 })).status).toBe(404);
    expect(published('scada.commands')).toBe(before);
  });
});

describe('streams', () => {
  it('seed 002’s stream refuses another tenant’s devices', async () => {
    const server = await f.listen();
    const token = await f.token('viewer');
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/stream?device_ids=rtu-n01,rtu-s01&access_token=${token}`);
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => resolve(101));
      socket.on('error', () => {});
    });
    expect(status).toBe(404);
    await server.close();
  });
});
