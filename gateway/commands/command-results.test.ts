import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { type LiveClient, openLiveClient, until } from '../testing/live-client.ts';

/**
 * The edge adapters answer every command on scada.commands.results; the gateway files
 * each answer under its device's tenant in Redis and announces it on the tenant's
 * system room. Results are published on the bus as an edge adapter would publish them.
 */
let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
let live: LiveClient;

const result = (commandId: string, deviceId: string | undefined, fields: Partial<CommandResult> = {}): CommandResult => ({
  commandId,
  timestamp: Date.now(),
  siteId: 'pad-7',
  ...(deviceId ? { deviceId, tagId: 'esp_frequency_setpoint', value: 52 } : {}),
  status: 'applied',
  code: 'applied',
  reason: 'written to holding register 40010',
  requestedBy: { userId: 'operator-user', role: 'operator' },
  ...fields,
});
const publish = (r: CommandResult) => f.bed.publish('scada.commands.results', r, { key: r.deviceId ?? r.siteId });
const results = async (role: 'viewer' | 'operator' | 'scada', tenantId = 'acme', query = '') => {
  const res = await f.request('GET', `/v1/commands/results${query}`, { role, tenantId });
  return { status: res.status, body: (await res.json()) as { results: CommandResult[]; error?: string } };
};

beforeAll(async () => {
  f = await gatewayFixture();
  server = await f.listen();
  live = await openLiveClient(server.url, await f.token('viewer'));
  expect((await live.subscribe('system:acme')).type).toBe('subscribed');
}, 120_000);
afterAll(async () => {
  await live?.close();
  await server?.close();
  await f?.close();
}, 60_000);

describe('command results', () => {
  it('files each result under its device’s tenant, newest first, with status and reason', async () => {
    publish(result('c-1', 'rtu-n01', { timestamp: Date.now() - 2_000 }));
    publish(
      result('c-2', 'rtu-n02', { status: 'refused', code: 'out-of-range', reason: 'value 90 is above the tag’s maximum 65', value: 90 }),
    );
    publish(result('c-3', 'rtu-s01'));
    await f.bed.drained();
    const acme = await results('viewer');
    expect(acme.status).toBe(200);
    expect(acme.body.results.map((r) => [r.commandId, r.status, r.code])).toEqual([
      ['c-2', 'refused', 'out-of-range'],
      ['c-1', 'applied', 'applied'],
    ]);
    expect(acme.body.results[0]).toMatchObject({ deviceId: 'rtu-n02', reason: 'value 90 is above the tag’s maximum 65' });
    expect((await results('viewer', 'globex')).body.results.map((r) => r.commandId)).toEqual(['c-3']);
  });

  it('announces each result on the tenant’s system room, and only there', async () => {
    await live.next((m) => m.room === 'system:acme' && m.type === 'command:result' && m.data?.commandId === 'c-2');
    expect(
      live
        .events('system:acme')
        .filter((m) => m.type === 'command:result')
        .map((m) => m.data?.commandId),
    ).not.toContain('c-3');
  });

  it('files a result twice delivered once', async () => {
    const again = result('c-4', 'rtu-n01');
    publish(again);
    publish(again);
    await f.bed.drained();
    expect((await results('viewer')).body.results.filter((r) => r.commandId === 'c-4')).toHaveLength(1);
  });

  it('filters by device, but not another tenant’s (404)', async () => {
    expect((await results('operator', 'acme', '?deviceId=rtu-n02')).body.results.map((r) => r.commandId)).toEqual(['c-2']);
    expect((await results('operator', 'acme', '?deviceId=rtu-s01')).status).toBe(404);
  });

  it('passes over what it cannot read or place, and goes on with the rest', async () => {
    f.bed.bus.publish([{ topic: 'scada.commands.results', key: 'x', value: 'not json' }]);
    publish({ ...result('c-5', 'rtu-unknown'), siteId: 'nowhere' });
    f.bed.bus.publish([{ topic: 'scada.commands.results', key: 'x', value: JSON.stringify({ commandId: 'c-6', status: 'maybe' }) }]);
    publish(result('c-7', 'rtu-n01'));
    await until(async () => (await results('viewer')).body.results[0]?.commandId === 'c-7', 'the valid result after the bad ones');
    const ids = (await results('viewer')).body.results.map((r) => r.commandId);
    expect(ids).not.toContain('c-5');
    expect(ids).not.toContain('c-6');
  });

  it('is for people: the scada role reads nothing', async () => {
    expect((await results('scada')).status).toBe(403);
  });
});
