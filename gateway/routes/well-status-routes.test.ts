import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { type LiveClient, openLiveClient, until } from '../testing/live-client.ts';

/**
 * A well's status as the real functions make it: telemetry in through the API, validate, the
 * well-status function (the example rules: 2 min to confirm producing, 30 s for down), persist
 * into (embedded) PostgreSQL, and the route reading Redis and the database; each change also
 * reaches the live rooms of the well and of its field.
 */
let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
const rooms: Record<string, LiveClient> = {};
const start = Math.floor((Date.now() - 20 * 60_000) / 60_000) * 60_000;
const minute = (m: number) => start + m * 60_000;

interface Answer {
  current: { status: string; reason?: string; since: number } | null;
  timeline: { status: string; reason?: string; from: number; to?: number }[];
  days: { day: string; hours: Record<string, number>; downHours: Record<string, number> }[];
}

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  server = await f.listen();
  const viewer = await f.token('viewer');
  for (const room of ['well:n-01', 'field:north', 'well:n-02']) {
    rooms[room] = await openLiveClient(server.url, viewer);
    expect((await rooms[room]?.subscribe(room))?.type).toBe('subscribed');
  }
  // n-01 flows for six minutes, then stops (no trip, SSV open, drive running): down, no flow.
  const samples = Array.from({ length: 11 }, (_, m) =>
    (
      [
        ['ssv_open', 1],
        ['esp_tripped', 0],
        ['esp_running', 1],
        ['oil_rate', m < 6 ? 450 + (m % 3) : 0],
      ] as const
    ).map(([tagId, value]) => ({ timestamp: minute(m), deviceId: 'rtu-n01', tagId, value, quality: 192 })),
  ).flat();
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples } })).status).toBe(202);
  await f.bed.drained(30_000);
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(rooms).map((c) => c.close()));
  await server?.close();
  await f?.close();
}, 60_000);

const status = async (query = '') => {
  const res = await f.request('GET', `/v1/wells/n-01/status${query}`, { role: 'viewer' });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
};

describe('GET /v1/wells/{wellId}/status', () => {
  it('answers the current status, the timeline and the hours per status per day', async () => {
    await until(async () => (await status()).timeline.length === 2, 'persist to store both changes');
    const answer = await status();
    expect(answer.current).toMatchObject({ status: 'down', reason: 'no-flow', since: minute(6) });
    expect(answer.timeline).toEqual([
      { status: 'producing', from: minute(0), to: minute(6) },
      { status: 'down', reason: 'no-flow', from: minute(6) },
    ]);
    // The open status counts until the gateway's clock; a run near midnight splits it over two days.
    const total = (key: 'producing' | 'down') => answer.days.reduce((h, d) => h + (d.hours[key] ?? 0), 0);
    expect(total('producing')).toBeCloseTo(0.1, 3);
    expect(total('down')).toBeCloseTo((f.now() - minute(6)) / 3_600_000, 3);
    expect(answer.days.reduce((h, d) => h + (d.downHours['no-flow'] ?? 0), 0)).toBeCloseTo(total('down'), 3);
  });

  it('shows each change live, once, in the well’s room and its field’s, and in no other well’s', async () => {
    const changes = (room: string) => (rooms[room]?.events(room) ?? []).filter((m) => m.type === 'well:status').map((m) => m.data);
    await until(() => changes('well:n-01').length === 2 && changes('field:north').length === 2, 'both changes in both rooms');
    expect(changes('well:n-01')).toEqual([
      expect.objectContaining({ wellId: 'n-01', status: 'producing', since: minute(0) }),
      expect.objectContaining({ wellId: 'n-01', status: 'down', reason: 'no-flow', previousStatus: 'producing', since: minute(6) }),
    ]);
    expect(changes('field:north')).toEqual(changes('well:n-01'));
    expect(changes('well:n-02')).toEqual([]);
  });

  it('cuts the history to the range asked', async () => {
    const answer = await status(`?from=${minute(2)}&to=${minute(4)}`);
    expect(answer.timeline).toEqual([{ status: 'producing', from: minute(0), to: minute(6) }]);
    expect(answer.days.reduce((h, d) => h + (d.hours.producing ?? 0), 0)).toBeCloseTo(2 / 60, 4);
  });

  it('refuses another tenant’s well as one that does not exist, and a backwards range', async () => {
    expect((await f.request('GET', '/v1/wells/s-01/status', { role: 'viewer' })).status).toBe(404);
    expect((await f.request('GET', '/v1/wells/n-01/status?from=2000&to=1000', { role: 'viewer' })).status).toBe(400);
  });
});
