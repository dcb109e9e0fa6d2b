import { describe, expect, it } from 'vitest';
import { ClientOutbox, type OutboxSocket } from './client-outbox.ts';

/**
 * The outbox's rules with a scripted socket standing in for the network (the real
 * socket's back-pressure is exercised in slow-client.test.ts): `blocked` plays a full
 * kernel buffer.
 */
function scriptedSocket() {
  const sent: string[] = [];
  let blocked = false;
  const socket: OutboxSocket & { sent: string[]; block(on: boolean): void; closed?: string } = {
    sent,
    readyState: 1,
    get bufferedAmount() {
      return blocked ? 1_000_000 : 0;
    },
    send: (text) => {
      sent.push(text);
    },
    close(_code, reason) {
      socket.closed = reason;
    },
    block(on) {
      blocked = on;
    },
  };
  return socket;
}

const counters = () => {
  const counts = { dropped: 0, coalesced: 0, tooSlow: 0 };
  return {
    counts,
    hooks: { dropped: (n: number) => (counts.dropped += n), coalesced: () => counts.coalesced++, tooSlow: () => counts.tooSlow++ },
  };
};
const limits = { maxQueued: 3, highWaterMarkBytes: 1024, maxBlockedMs: 60_000 };

describe('ClientOutbox', () => {
  it('sends straight away while the socket keeps up', () => {
    const socket = scriptedSocket();
    const outbox = new ClientOutbox(socket, limits, counters().hooks);
    for (const n of [1, 2, 3, 4, 5]) outbox.push('well:a', `m${n}`, 'same-key');
    expect(socket.sent).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    outbox.close();
  });

  it('keeps only the newest message per key while blocked, and sends it when the socket drains', async () => {
    const socket = scriptedSocket();
    const { counts, hooks } = counters();
    const outbox = new ClientOutbox(socket, limits, hooks);
    socket.block(true);
    outbox.push('well:a', 'tag1=1', 't1');
    outbox.push('well:a', 'tag2=1', 't2');
    outbox.push('well:a', 'tag1=2', 't1');
    expect(outbox.stats()).toMatchObject({ queued: 2, coalesced: 1, dropped: 0 });
    socket.block(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(socket.sent).toEqual(['tag2=1', 'tag1=2']);
    expect(counts.coalesced).toBe(1);
    outbox.close();
  });

  it('drops the oldest past maxQueued, and asks for a resync of its room before anything else', async () => {
    const socket = scriptedSocket();
    const { counts, hooks } = counters();
    const outbox = new ClientOutbox(socket, limits, hooks);
    socket.block(true);
    for (const n of [1, 2, 3, 4, 5]) outbox.push(n < 3 ? 'well:a' : 'well:b', `m${n}`);
    outbox.push('', 'control message');
    expect(outbox.stats().queued).toBe(3);
    expect(counts.dropped).toBe(3);
    socket.block(false);
    await new Promise((r) => setTimeout(r, 60));
    const resyncs = socket.sent.filter((t) => t.includes('"resync"')).map((t) => JSON.parse(t).room);
    expect(resyncs.sort()).toEqual(['well:a', 'well:b']);
    expect(socket.sent.slice(0, 2).every((t) => t.includes('"resync"'))).toBe(true);
    expect(socket.sent.slice(2)).toEqual(['m4', 'm5', 'control message']);
    outbox.close();
  });

  it('never asks a resync for a dropped control message (it belongs to no room)', async () => {
    const socket = scriptedSocket();
    const outbox = new ClientOutbox(socket, { ...limits, maxQueued: 1 }, counters().hooks);
    socket.block(true);
    outbox.push('', 'keep-alive 1');
    outbox.push('', 'keep-alive 2');
    socket.block(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(socket.sent).toEqual(['keep-alive 2']);
    outbox.close();
  });

  it('gives up on a socket blocked for longer than maxBlockedMs', async () => {
    const socket = scriptedSocket();
    const { counts, hooks } = counters();
    let now = 0;
    const outbox = new ClientOutbox(socket, { ...limits, maxBlockedMs: 1_000 }, hooks, () => now);
    socket.block(true);
    outbox.push('well:a', 'm1');
    now = 1_001;
    outbox.push('well:a', 'm2');
    expect(counts.tooSlow).toBe(1);
    expect(socket.closed).toMatch(/too slow/);
    expect(outbox.stats()).toMatchObject({ queued: 0, queuedBytes: 0 });
  });
});
