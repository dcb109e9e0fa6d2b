import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sha256Hex } from '../auth/api-keys.ts';
import { defaultOptions } from '../deps.ts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { until } from '../testing/live-client.ts';

/**
 * Seed 002's clients, unchanged but for their credentials: `new WebSocket('/api/v1/stream?device_ids=…')`,
 * messages they filter on `data.DEVICE_ID`, and a keep-alive every 60 s (shortened here).
 */
let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
beforeAll(async () => {
  f = await gatewayFixture({
    options: { live: { ...defaultOptions.live, legacyKeepAliveMs: 300 } },
    apiKeys: [{ id: 'tracking-screen', sha256: sha256Hex('flk_tracking-screen'), role: 'viewer', tenantId: 'acme' }],
  });
  server = await f.listen();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await f?.close();
}, 60_000);

const open = async (query: string, credentials: string) => {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/stream${query}${query ? '&' : '?'}${credentials}`);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  // The stream has joined its rooms once the gateway counts a member per room.
  await until(() => f.gateway.liveStats().members > 0, 'the stream to join its rooms');
  return { socket, messages };
};
const ingest = async (samples: { deviceId: string; value: number }[]) => {
  const t = Date.now();
  const body = { samples: samples.map((s, i) => ({ timestamp: t + i, tagId: 'tubing_pressure', quality: 192, ...s })) };
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body })).status).toBe(202);
};

describe('/api/v1/stream (seed 002)', () => {
  it('sends only the listed devices, in seed 002’s shape, and keeps the link alive', async () => {
    const { socket, messages } = await open('?device_ids=rtu-n02,sep-north', `access_token=${await f.token('viewer')}`);
    await ingest([
      { deviceId: 'rtu-n01', value: 901 },
      { deviceId: 'rtu-n02', value: 902 },
      { deviceId: 'sep-north', value: 903 },
    ]);
    await until(() => messages.filter((m) => m.data).length >= 2, 'two device messages');
    await until(() => messages.some((m) => m.type === 'keep-alive'), 'a keep-alive');
    await new Promise((r) => setTimeout(r, 200));
    const data = messages.filter((m) => m.data) as {
      data: Record<string, unknown>;
      decoded: Record<string, unknown>;
      metadata: Record<string, unknown>;
      uuid: string;
    }[];
    expect(data.map((m) => m.data.DEVICE_ID).sort()).toEqual(['rtu-n02', 'sep-north']);
    expect(data.find((m) => m.data.DEVICE_ID === 'rtu-n02')).toMatchObject({
      data: {
        DEVICE_ID: 'rtu-n02',
        TAG_ID: 'tubing_pressure',
        VALUE: 902,
        QUALITY: 192,
        STATUS: 'good',
        UNIT: 'psi',
        TIMESTAMP: expect.stringMatching(/Z$/),
      },
      decoded: { deviceId: 'rtu-n02', tenantId: 'acme', wellId: 'n-02' },
      metadata: { type: 'telemetry:update', tenantId: 'acme' },
      uuid: expect.stringMatching(/^well:n-02:/),
    });
    expect(messages.find((m) => m.type === 'keep-alive')?.timestamp).toMatch(/Z$/);
    socket.close();
    await until(() => f.gateway.liveStats().members === 0, 'the stream to leave its rooms');
  });

  it('without device_ids, streams every device of the caller’s tenant, with an API key in the query', async () => {
    const { socket, messages } = await open('', 'api_key=flk_tracking-screen');
    await ingest([
      { deviceId: 'rtu-n01', value: 911 },
      { deviceId: 'sep-north', value: 913 },
    ]);
    await until(() => messages.filter((m) => m.data).length >= 2, 'both devices');
    expect(new Set(messages.filter((m) => m.data).map((m) => (m.data as { DEVICE_ID: string }).DEVICE_ID))).toEqual(
      new Set(['rtu-n01', 'sep-north']),
    );
    socket.close();
  });

  it('keeps seed 002’s 60 s keep-alive by default', () => {
    expect(defaultOptions.live.legacyKeepAliveMs).toBe(60_000);
  });

  it('says what is wrong with device_ids before upgrading', async () => {
    const token = await f.token('viewer');
    const refused = (query: string) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/stream${query}&access_token=${token}`);
        socket.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        socket.on('error', () => {});
      });
    expect(await refused('?device_ids=rtu-n01,no%20such')).toMatchObject({ status: 400 });
    expect(await refused('?device_ids=rtu-s01')).toMatchObject({ status: 404 });
  });
});
