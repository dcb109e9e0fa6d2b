import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { edgeStatusSource } from './edge-status.ts';

/** The status board from the memory host: lag from the bus, rates from the shared registry, dead letters from .dlq topics. */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture();
}, 120_000);
afterAll(async () => f?.close(), 60_000);

type Board = {
  functions: {
    name: string;
    lag: number;
    throughputPerSecond: number | null;
    deadLetters: number;
    replicas: { current: number; min: number; max: number };
  }[];
};
const board = async () => (await (await f.request('GET', '/v1/status/functions', { role: 'viewer' })).json()) as Board;

describe('function status', () => {
  it('shows each function with its replicas, lag, throughput and dead letters', async () => {
    const first = await board();
    expect(first.functions.map((x) => x.name)).toEqual(['validate', 'alarm', 'notify', 'well-status']);
    expect(first.functions[0]).toMatchObject({
      lag: 0,
      deadLetters: 0,
      replicas: { current: 1, min: 1, max: 6 },
      throughputPerSecond: null,
    });

    const samples = Array.from({ length: 50 }, (_, i) => ({
      timestamp: Date.now() + i,
      deviceId: 'rtu-n01',
      tagId: 'casing_pressure',
      value: 400 + i,
      quality: 192,
    }));
    await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples } });
    // An unknown device cannot be published through the gateway; put one on the bus as a misconfigured edge would.
    f.bed.publish(
      'scada.telemetry.raw',
      { timestamp: Date.now(), deviceId: 'rtu-unknown', tagId: 'x', value: 1, quality: 192, sourceProtocol: 'MODBUS' },
      { key: 'rtu-unknown' },
    );
    await f.bed.drained();
    // Rates are differences between two readings at least a second apart (of the gateway's clock).
    f.advance(2_000);
    const second = await board();
    const validate = second.functions.find((x) => x.name === 'validate');
    expect(validate?.deadLetters).toBe(1);
    expect(validate?.throughputPerSecond).toBe(25);
  });
});

describe('edge adapter status', () => {
  it('reads each site’s /healthz, in-process or over HTTP, and says when one is unreachable', async () => {
    const health = {
      status: 'degraded',
      version: '1.2.0',
      site: 'pad-7',
      uptimeSeconds: 10,
      devices: {
        'esp-vfd': {
          protocol: 'modbus',
          state: 'disconnected',
          since: '2026-01-01T00:00:00Z',
          lastError: 'timeout',
          lastSampleAt: null,
          samples: 3,
          badSamples: 1,
          attributes: {},
        },
      },
      sink: { sink: 'kafka', state: 'connected', lastSuccessAt: 1, lastError: null, forwarded: 3 },
      buffer: {
        depth: 42,
        capacity: 100000,
        policy: 'drop-oldest',
        dropped: 0,
        bytesOnDisk: 1,
        oldestSampleAt: '2026-01-01T00:00:00Z',
        pendingEvents: 0,
      },
      commands: { enabled: false, listening: null },
    };
    const server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(health));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const source = edgeStatusSource([
      { tenantId: 'acme', site: 'pad-7', url },
      { tenantId: 'acme', site: 'pad-8', url: 'http://127.0.0.1:9' },
      { tenantId: 'acme', site: 'embedded', health: () => health },
      { tenantId: 'globex', site: 'pad-9', url },
    ]);
    const sites = await source.read('acme');
    expect(sites.map((s) => [s.site, s.status])).toEqual([
      ['pad-7', 'degraded'],
      ['pad-8', 'unreachable'],
      ['embedded', 'degraded'],
    ]);
    expect(sites[0]).toMatchObject({
      devices: [{ id: 'esp-vfd', state: 'disconnected', lastError: 'timeout' }],
      buffer: { depth: 42, capacity: 100000 },
    });
    expect(sites[1]?.error).toMatch(/^no answer from http:\/\/127.0.0.1:9/);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
