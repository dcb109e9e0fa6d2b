import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.ts';
import { memorySessionStore } from './memory-session-store.ts';
import { redisSessionStore } from './redis-session-store.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

/**
 * The two session stores hold to one contract: the Redis one against a real redis-server
 * (its rotation is a Lua script, which only a real server runs as production does), the
 * memory one of `npm start`.
 */
let scratch: ScratchRedis;
beforeAll(async () => {
  scratch = await startScratchRedis();
}, 30_000);
afterAll(async () => scratch?.stop());

let n = 0;
const sessionOf = (userId: string, ttlMs = 60_000): SessionRecord => {
  n += 1;
  const now = Date.now();
  return { sessionId: `s${n}-${now}`, userId, tenantId: 'acme', role: 'operator', createdAt: now, expiresAt: now + ttlMs };
};

const stores: [string, () => SessionStore][] = [
  ['redis', () => redisSessionStore(scratch.redis)],
  ['memory', () => memorySessionStore()],
];

describe.each(stores)('%s session store', (_kind, open) => {
  it('rotates the current token, and only it', async () => {
    const store = open();
    const session = sessionOf('ana');
    await store.create(session, 'h1');
    expect(await store.rotate(session.sessionId, 'h1', 'h2')).toEqual({ kind: 'rotated', session });
    expect(await store.rotate(session.sessionId, 'h2', 'h3')).toMatchObject({ kind: 'rotated' });
    expect(await store.rotate(session.sessionId, 'never-issued', 'h4')).toEqual({ kind: 'unknown' });
    expect(await store.isActive(session.sessionId)).toBe(true);
  });

  it('revokes the whole family when a rotated token comes back', async () => {
    const store = open();
    const session = sessionOf('ana');
    await store.create(session, 'h1');
    await store.rotate(session.sessionId, 'h1', 'h2');
    expect(await store.rotate(session.sessionId, 'h1', 'h9')).toEqual({ kind: 'reused', session });
    expect(await store.isActive(session.sessionId)).toBe(false);
    // The current token of the family is dead too: whoever held it must sign in again.
    expect(await store.rotate(session.sessionId, 'h2', 'h3')).toEqual({ kind: 'unknown' });
    expect(await store.revokeUser('acme', 'ana')).not.toContain(session.sessionId);
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const store = open();
    const session = sessionOf('ana');
    await store.create(session, 'h1');
    const outcomes = await Promise.all([store.rotate(session.sessionId, 'h1', 'a'), store.rotate(session.sessionId, 'h1', 'b')]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['reused', 'rotated']);
    expect(await store.isActive(session.sessionId)).toBe(false);
  });

  it('ends a session at its expiry', async () => {
    const store = open();
    const session = sessionOf('ana', 300);
    await store.create(session, 'h1');
    expect(await store.isActive(session.sessionId)).toBe(true);
    await sleep(400);
    expect(await store.isActive(session.sessionId)).toBe(false);
    expect(await store.rotate(session.sessionId, 'h1', 'h2')).toEqual({ kind: 'unknown' });
  });

  it('signs one session out, and revokes every session of one user of one tenant', async () => {
    const store = open();
    const [a, b, c] = [sessionOf('bob'), sessionOf('bob'), sessionOf('bob')];
    const other = sessionOf('carla');
    const elsewhere = { ...sessionOf('bob'), tenantId: 'globex' };
    for (const s of [a, b, c, other, elsewhere]) await store.create(s, `h-${s.sessionId}`);
    expect(await store.revoke(a.sessionId)).toEqual(a);
    expect(await store.revoke(a.sessionId)).toBeUndefined();
    expect((await store.revokeUser('acme', 'bob')).sort()).toEqual([b.sessionId, c.sessionId].sort());
    for (const s of [a, b, c]) expect(await store.isActive(s.sessionId)).toBe(false);
    expect(await store.rotate(b.sessionId, `h-${b.sessionId}`, 'x')).toEqual({ kind: 'unknown' });
    expect(await store.isActive(other.sessionId)).toBe(true);
    expect(await store.isActive(elsewhere.sessionId)).toBe(true);
    expect(await store.revokeUser('acme', 'bob')).toEqual([]);
  });
});

describe('redis session store', () => {
  it('keeps nothing past the sign-in’s end: every key of the session expires with it', async () => {
    const store = redisSessionStore(scratch.redis);
    const session = sessionOf('dora', 60_000);
    await store.create(session, 'h1');
    await store.rotate(session.sessionId, 'h1', 'h2');
    for (const key of [`session:{${session.sessionId}}`, `session:{${session.sessionId}}:rotated`, 'sessions:user:acme:dora']) {
      const ttl = await scratch.redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(50_000);
      expect(ttl, key).toBeLessThanOrEqual(60_000);
    }
    expect(await scratch.redis.hget(`session:{${session.sessionId}}`, 'current')).toBe('h2');
  });
});
