import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { type LiveClient, type LiveMessage, openLiveClient, until } from '../testing/live-client.ts';

/**
 * Seed 001's rooms end to end: samples go in through the gateway, the real validate,
 * alarm and notify functions publish to Redis, and each WebSocket client must get
 * exactly what its room's channels carried — compared with a raw Redis subscriber
 * listening to the same channels — nothing else, nothing twice.
 */
let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
let tap: Redis;
const tapped = new Map<string, { type: string; data: Record<string, unknown> }[]>();
const channels = [
  'live:well:n-01',
  'live:well:n-02',
  'live:well:north',
  'live:field:north',
  'live:alarms:acme',
  'live:alarms:acme:critical',
];

beforeAll(async () => {
  f = await gatewayFixture({ options: { rateLimits: { read: 10_000, write: 10_000, ingest: 10_000, signIn: 10, windowMs: 60_000 } } });
  server = await f.listen();
  tap = f.redis.duplicate();
  tap.on('message', (channel: string, text: string) => tapped.set(channel, [...(tapped.get(channel) ?? []), JSON.parse(text)]));
  await tap.subscribe(...channels);
}, 120_000);
afterAll(async () => {
  await tap?.quit();
  await server?.close();
  await f?.close();
});

let t = Date.now();
const sample = (deviceId: string, tagId: string, value: number) => {
  t += 1000;
  return { timestamp: t, deviceId, tagId, value, quality: 192 };
};
const ingest = async (tenantId: string, samples: ReturnType<typeof sample>[]) => {
  const res = await f.request('POST', '/v1/telemetry', { role: 'scada', tenantId, body: { samples } });
  expect(res.status).toBe(202);
};
const identity = (m: { type: string; data?: Record<string, unknown> }) =>
  `${m.type}|${String(m.data?.deviceId)}|${String(m.data?.tagId)}|${String(m.data?.timestamp)}|${String(m.data?.alarmId ?? '')}|${String(m.data?.transition ?? '')}`;

describe('rooms', () => {
  const clients: Record<string, LiveClient> = {};

  beforeAll(async () => {
    const viewer = await f.token('viewer');
    const rooms = { wellA: 'well:n-01', wellB: 'well:n-02', field: 'field:north', alarms: 'alarms:acme', critical: 'alarms:acme:critical' };
    for (const [name, room] of Object.entries(rooms)) {
      clients[name] = await openLiveClient(server.url, viewer);
      expect((await clients[name]?.subscribe(room))?.type).toBe('subscribed');
    }
    clients.globex = await openLiveClient(server.url, await f.token('viewer', 'globex'));
    expect((await clients.globex.subscribe('alarms:globex')).type).toBe('subscribed');
    clients.filtered = await openLiveClient(server.url, viewer);
    await clients.filtered.subscribe('field:north', { deviceIds: ['sep-north'] });

    await ingest('acme', [
      sample('rtu-n01', 'tubing_pressure', 900),
      sample('rtu-n02', 'tubing_pressure', 880),
      sample('sep-north', 'casing_pressure', 300),
      sample('rtu-n01', 'tubing_pressure', 1300), // H (HIGH)
      sample('rtu-n01', 'tubing_pressure', 1500), // HH (CRITICAL)
      sample('rtu-n02', 'casing_pressure', 420),
    ]);
    await ingest('globex', [sample('rtu-s01', 'tubing_pressure', 1300)]);
    await f.bed.drained();
    await until(
      () => (tapped.get('live:alarms:acme:critical')?.length ?? 0) >= 1 && (tapped.get('live:alarms:acme')?.length ?? 0) >= 2,
      'alarms fanned out',
    );
    // Let the last published messages reach the sockets.
    await until(() => (clients.alarms?.events().length ?? 0) >= (tapped.get('live:alarms:acme')?.length ?? 0), 'alarms room caught up');
    await until(() => (clients.field?.events().length ?? 0) >= 6, 'field room caught up');
  }, 120_000);
  afterAll(async () => Promise.all(Object.values(clients).map((c) => c.close())));

  const expectExactly = (client: LiveClient | undefined, room: string, expected: { type: string; data: Record<string, unknown> }[]) => {
    const got = client?.events(room) ?? [];
    expect(got.map(identity)).toEqual(expected.map(identity));
    const seqs = got.map((m) => m.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  };
  const onChannel = (channel: string, accept: (m: { type: string }) => boolean = () => true) => (tapped.get(channel) ?? []).filter(accept);

  it('a well room gets exactly its well’s telemetry and alarms', () => {
    expect(onChannel('live:well:n-01').length).toBeGreaterThanOrEqual(5);
    expectExactly(clients.wellA, 'well:n-01', onChannel('live:well:n-01'));
    expectExactly(clients.wellB, 'well:n-02', onChannel('live:well:n-02'));
    expect(clients.wellB?.events().every((m) => m.data?.deviceId === 'rtu-n02')).toBe(true);
  });

  it('a field room gets the telemetry of all its wells and its own equipment, and each alarm once', () => {
    const got = clients.field?.events('field:north') ?? [];
    const telemetry = got.filter((m) => m.type === 'telemetry:update').map((m) => m.data?.deviceId);
    expect(new Set(telemetry)).toEqual(new Set(['rtu-n01', 'rtu-n02', 'sep-north']));
    const alarms = got.filter((m) => m.type.startsWith('alarm:'));
    expect(alarms.map(identity)).toEqual(onChannel('live:field:north').map(identity));
    expect(new Set(alarms.map(identity)).size).toBe(alarms.length);
  });

  it('the tenant’s alarm rooms get every alarm, and the critical room only the critical ones', () => {
    expectExactly(clients.alarms, 'alarms:acme', onChannel('live:alarms:acme'));
    expectExactly(clients.critical, 'alarms:acme:critical', onChannel('live:alarms:acme:critical'));
    expect(clients.critical?.events().every((m) => m.data?.severity === 'CRITICAL')).toBe(true);
    expect(clients.alarms?.events().some((m) => m.data?.severity === 'HIGH')).toBe(true);
  });

  it('another tenant’s room carries none of them', async () => {
    await until(() => (clients.globex?.events().length ?? 0) >= 1, 'globex alarm');
    expect(clients.globex?.events().every((m) => m.data?.tenantId === 'globex')).toBe(true);
    expect(clients.alarms?.events().every((m) => m.data?.tenantId === 'acme')).toBe(true);
  });

  it('a device filter narrows a room to those devices', () => {
    const got = clients.filtered?.events('field:north') ?? [];
    expect(got.length).toBeGreaterThan(0);
    expect(got.every((m) => m.data?.deviceId === 'sep-north')).toBe(true);
  });
});

describe('resume after reconnect', () => {
  it('replays exactly the events missed while away', async () => {
    const token = await f.token('operator');
    const first = await openLiveClient(server.url, token);
    const joined = await first.subscribe('well:n-02');
    await ingest('acme', [sample('rtu-n02', 'oil_rate', 400)]);
    const seen = await first.next((m) => m.type === 'telemetry:update' && m.data?.tagId === 'oil_rate');
    await first.close();

    await ingest('acme', [sample('rtu-n02', 'oil_rate', 401), sample('rtu-n02', 'oil_rate', 402), sample('rtu-n02', 'oil_rate', 403)]);
    await f.bed.drained();
    await until(() => onChannelCount('live:well:n-02', 'oil_rate') >= 4, 'missed events published');

    const second = await openLiveClient(server.url, token);
    const ack = await second.subscribe('well:n-02', { after: { epoch: joined.epoch, seq: seen.seq } });
    expect(ack).toMatchObject({ type: 'subscribed', resync: false, replayed: 3 });
    expect(second.events('well:n-02').map((m) => m.data?.value)).toEqual([401, 402, 403]);
    await second.close();
  });

  it('asks for a resync when it cannot replay (an unknown epoch: another replica, a restart)', async () => {
    const client = await openLiveClient(server.url, await f.token('operator'));
    expect(await client.subscribe('well:n-01', { after: { epoch: 'gone', seq: 5 } })).toMatchObject({
      type: 'subscribed',
      resync: true,
      replayed: 0,
    });
    await client.close();
  });
});

describe('plain HTTP on a WebSocket route', () => {
  it('answers 426 with what to do', async () => {
    const res = await f.request('GET', '/v1/live', { role: 'viewer' });
    expect(res.status).toBe(426);
    expect(((await res.json()) as { error: string }).error).toMatch(/WebSocket endpoint/);
  });
});

describe('subscriptions that are refused', () => {
  it('says why: not a room, another tenant’s room, a bad message', async () => {
    const client = await openLiveClient(server.url, await f.token('viewer'));
    expect(await client.subscribe('well:s-01')).toMatchObject({ type: 'error', error: 'no room "well:s-01" in your tenant' });
    expect(await client.subscribe('alarms:globex')).toMatchObject({ type: 'error', error: 'no room "alarms:globex" in your tenant' });
    expect((await client.subscribe('kitchen:sink')).error).toMatch(/is not a room: use well:/);
    client.send({ op: 'dance' });
    expect((await client.next((m) => m.type === 'error' && !m.room)).error).toMatch(/invalid message/);
    client.socket.send('not json');
    await client.next((m) => m.type === 'error' && String(m.error).startsWith('messages are JSON'));
    await client.close();
  });
});

function onChannelCount(channel: string, tagId: string): number {
  return (tapped.get(channel) ?? []).filter((m: LiveMessage | { data: Record<string, unknown> }) => m.data?.tagId === tagId).length;
}
