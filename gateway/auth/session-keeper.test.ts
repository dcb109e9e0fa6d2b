import { describe, expect, it } from 'vitest';
import { memorySessionStore } from './memory-session-store.ts';
import type { Principal } from './principal.ts';
import { sessionKeeper } from './session-keeper.ts';

/**
 * How promptly a revoked session's access token stops: at once on the replica that
 * revoked it, within the check cache's lifetime on the others (two keepers over one store
 * stand for two gateway replicas over one Redis).
 */
const ana: Principal = { kind: 'user', id: 'ana', name: 'Ana', role: 'operator', tenantId: 'acme' };

describe('session keeper', () => {
  it('stops a revoked session at once where it was revoked, and within the cache time on another replica', async () => {
    let now = Date.parse('2026-03-01T08:00:00Z');
    const clock = () => now;
    const store = memorySessionStore(clock);
    const replica = () =>
      sessionKeeper({ store, issue: async () => ({ token: 't', expiresAt: now }), sessionTtlSeconds: 3600, activeCacheMs: 5_000, clock });
    const [a, b] = [replica(), replica()];
    const { sessionId } = await a.start(ana);
    expect(await a.isActive(sessionId)).toBe(true);
    expect(await b.isActive(sessionId)).toBe(true);

    expect(await a.revokeUser('acme', 'ana')).toBe(1);
    expect(await a.isActive(sessionId)).toBe(false);
    expect(await b.isActive(sessionId)).toBe(true); // b's last look is 0 s old
    now += 4_999;
    expect(await b.isActive(sessionId)).toBe(true);
    now += 1;
    expect(await b.isActive(sessionId)).toBe(false);
  });

  it('ends the session of a user no longer configured when they refresh', async () => {
    const store = memorySessionStore();
    const keeper = sessionKeeper({
      store,
      issue: async () => ({ token: 't', expiresAt: 0 }),
      sessionTtlSeconds: 3600,
      activeCacheMs: 0,
      clock: Date.now,
    });
    const { sessionId, refresh } = await keeper.start(ana);
    expect(await keeper.refresh(refresh.token, () => undefined)).toMatchObject({ kind: 'user-gone' });
    expect(await keeper.isActive(sessionId)).toBe(false);
  });

  it('refuses what is not a refresh token without asking the store', async () => {
    const keeper = sessionKeeper({
      store: {
        ...memorySessionStore(),
        rotate: () => {
          throw new Error('the store was asked');
        },
      },
      issue: async () => ({ token: 't', expiresAt: 0 }),
      sessionTtlSeconds: 3600,
      activeCacheMs: 0,
      clock: Date.now,
    });
    for (const token of ['', 'abc', 'a.b', `${'x'.repeat(22)}.${'y'.repeat(42)}`, `${'x'.repeat(22)}.${'y'.repeat(43)}.z`])
      expect(await keeper.refresh(token, () => ana)).toEqual({ kind: 'unknown' });
  });
});
