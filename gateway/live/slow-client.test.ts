import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { type LiveClient, openLiveClient, until } from '../testing/live-client.ts';

/**
 * A client that stops reading (a frozen tab, a congested link) must not make the gateway
 * hold more and more for it: its queue stays at `maxQueued`, the socket's buffer at
 * about `highWaterMarkBytes`, the oldest messages are dropped (its room told to resync),
 * and a client that reads nothing for `maxBlockedMs` is cut off. A fast client in the
 * same room is not held back. The flood is published to the room's Redis channel the
 * way validate publishes telemetry, with a distinct tag per message so nothing can be
 * coalesced away; ~20 MB, far more than the kernel's socket buffers absorb.
 */
const maxQueued = 200;
const highWaterMarkBytes = 64 * 1024;
const messages = 20_000;
const padding = 'x'.repeat(900);

const pause = (client: LiveClient) => (client.socket as unknown as { _socket: Socket })._socket.pause();

async function flood(f: GatewayFixture, onBatch: () => void): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < messages; i += 250) {
    const batch = f.redis.pipeline();
    for (let j = i; j < i + 250; j++) {
      const data = {
        deviceId: 'rtu-n01',
        tagId: `t${j}`,
        value: j,
        quality: 192,
        timestamp: t0 + j,
        tenantId: 'acme',
        wellId: 'n-01',
        note: padding,
      };
      batch.publish('live:well:n-01', JSON.stringify({ type: 'telemetry:update', data }));
    }
    await batch.exec();
    await new Promise((r) => setImmediate(r));
    onBatch();
  }
}

describe('a client that stops reading', () => {
  let f: GatewayFixture;
  let server: Awaited<ReturnType<GatewayFixture['listen']>>;
  beforeAll(async () => {
    f = await gatewayFixture({ options: { live: { maxQueued, highWaterMarkBytes, maxBlockedMs: 600_000 } as never } });
    server = await f.listen();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await f?.close();
  });

  it('costs the gateway a bounded queue and buffer, while a fast client gets everything', async () => {
    const token = await f.token('viewer');
    const slow = await openLiveClient(server.url, token);
    const fast = await openLiveClient(server.url, token);
    await slow.subscribe('well:n-01');
    await fast.subscribe('well:n-01');
    pause(slow);

    let worst = { queued: 0, queuedBytes: 0, bufferedAmount: 0 };
    const sample = () => {
      for (const c of f.gateway.liveStats().connections) {
        worst = {
          queued: Math.max(worst.queued, c.queued),
          queuedBytes: Math.max(worst.queuedBytes, c.queuedBytes),
          bufferedAmount: Math.max(worst.bufferedAmount, c.bufferedAmount),
        };
      }
    };
    await flood(f, sample);
    await until(() => fast.events('well:n-01').length === messages, 'the fast client to get every message', 60_000);
    sample();

    const stats = f.gateway.liveStats().connections;
    const slowStats = stats.find((c) => c.dropped > 0);
    expect(slowStats, 'the slow client had messages dropped').toBeDefined();
    expect(slowStats?.dropped).toBeGreaterThan(messages / 2);
    expect(worst.queued).toBeLessThanOrEqual(maxQueued);
    // A message is ~1.1 KB: the queue holds at most maxQueued of them, the socket one message past the mark.
    expect(worst.queuedBytes).toBeLessThanOrEqual(maxQueued * 1_200);
    expect(worst.bufferedAmount).toBeLessThanOrEqual(highWaterMarkBytes + 1_200);
    // The fast client got every message, in order, none dropped.
    const values = fast.events('well:n-01').map((m) => m.data?.value);
    expect(values).toEqual(Array.from({ length: messages }, (_, i) => i));

    // Once it reads again, the slow client is told to resync, then gets the newest messages.
    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    await slow.next((m) => m.type === 'resync' && m.room === 'well:n-01', 30_000);
    await until(() => slow.events('well:n-01').some((m) => m.data?.value === messages - 1), 'the slow client to catch up', 30_000);
    expect(slow.events('well:n-01').length).toBeLessThan(messages);
    await Promise.all([slow.close(), fast.close()]);
  }, 120_000);
});

describe('a client that reads nothing for too long', () => {
  let f: GatewayFixture;
  let server: Awaited<ReturnType<GatewayFixture['listen']>>;
  beforeAll(async () => {
    f = await gatewayFixture({ options: { live: { maxQueued, highWaterMarkBytes, maxBlockedMs: 1_000 } as never } });
    server = await f.listen();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await f?.close();
  });

  it('is disconnected, and everything held for it is released', async () => {
    const slow = await openLiveClient(server.url, await f.token('viewer'));
    await slow.subscribe('well:n-01');
    pause(slow);
    const closed = new Promise<void>((resolve) => (slow.socket as WebSocket).once('close', () => resolve()));
    await flood(f, () => {});
    await until(() => f.gateway.liveStats().connections.length === 0, 'the slow client to be cut off', 30_000);
    expect(f.gateway.liveStats().members).toBe(0);
    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    await closed;
  }, 120_000);
});
