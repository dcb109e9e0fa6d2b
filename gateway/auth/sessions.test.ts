import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AuditLog } from '#contracts';
import { defaultOptions } from '../deps.ts';
import { sessionEndedCloseCode } from '../live/live-routes.ts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.ts';
import { sha256Hex } from './api-keys.ts';
import { memorySessionStore } from './memory-session-store.ts';
import { hashPassword } from './password-hash.ts';
import { redisSessionStore } from './redis-session-store.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Sessions through the HTTP API: short access tokens, refresh tokens rotated on every use,
 * reuse → the family revoked, sign-out, an administrator's revoke. Once with the sessions
 * in a real redis-server (production), once in memory (`npm start`).
 */
const password = 'correct horse battery staple';
const machineKey = 'flk_sessions-test-key';
const accessTtlSeconds = 120;
let scratch: ScratchRedis;
beforeAll(async () => {
  scratch = await startScratchRedis();
}, 30_000);
afterAll(async () => scratch?.stop());

interface Answer {
  token: string;
  expiresAt: number;
  refreshToken?: string;
  refreshExpiresAt: number;
  user: { id: string };
}

const backends: [string, (clock: () => number) => SessionStore][] = [
  ['Redis', () => redisSessionStore(scratch.redis)],
  ['memory', (clock) => memorySessionStore(clock)],
];

describe.each(backends)('sessions in %s', (_kind, storeOf) => {
  let f: GatewayFixture;
  beforeAll(async () => {
    const passwordHash = await hashPassword(password);
    let clock = () => Date.now();
    f = await gatewayFixture({
      users: [
        { username: 'ana', passwordHash, role: 'operator', tenantId: 'acme' },
        { username: 'boss', passwordHash, role: 'admin', tenantId: 'acme' },
        { username: 'gadmin', passwordHash, role: 'admin', tenantId: 'globex' },
      ],
      apiKeys: [{ id: 'plc', sha256: sha256Hex(machineKey), role: 'scada', tenantId: 'acme' }],
      sessions: { sessions: storeOf(() => clock()), accessTokenTtlSeconds: accessTtlSeconds },
      options: {
        rateLimits: { read: 10_000, write: 10_000, ingest: 10_000, signIn: 10_000, windowMs: 60_000 },
        live: { ...defaultOptions.live, keepAliveMs: 200 },
      },
    });
    clock = f.now;
  }, 120_000);
  afterAll(async () => f?.close(), 60_000);

  const signIn = async (username: string, refreshTokenIn?: 'cookie' | 'body') => {
    const res = await f.request('POST', '/v1/auth/sign-in', {
      body: { username, password, ...(refreshTokenIn ? { refreshTokenIn } : {}) },
    });
    expect(res.status).toBe(200);
    return { res, body: (await res.json()) as Answer };
  };
  const refresh = (init: { token?: string; cookie?: string }) =>
    f.request('POST', '/v1/auth/refresh', {
      ...(init.token ? { body: { refreshToken: init.token } } : {}),
      headers: init.cookie ? { cookie: init.cookie } : {},
    });
  const me = (token: string) => f.request('GET', '/v1/me', { headers: { authorization: `Bearer ${token}` } });
  const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;
  const cookieOf = (res: Response) => /flowline_refresh=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  // A JWT's expiry is in whole seconds.
  const inSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;
  const audit = async () => {
    await f.bed.drained();
    return f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);
  };

  it('answers a short access token, and the refresh token in a cookie only the refresh route gets', async () => {
    const { res, body } = await signIn('ana');
    expect(body.expiresAt).toBe(inSeconds(f.now()) + accessTtlSeconds * 1000);
    expect(body.refreshExpiresAt).toBe(f.now() + 12 * 3600 * 1000);
    expect(body.refreshToken).toBeUndefined();
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^flowline_refresh=[\w-]{22}\.[\w-]{43};/);
    expect(cookie).toContain('Path=/v1/auth/refresh');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Max-Age=43200');
    expect((await me(body.token)).status).toBe(200);
  });

  it('expires the access token; the refresh token gets a new one, and a new refresh token in its place', async () => {
    const { res, body } = await signIn('ana');
    f.advance(accessTtlSeconds * 1000 + 31_000); // past the expiry and the 30 s clock tolerance
    const expired = await me(body.token);
    expect(expired.status).toBe(401);
    expect(await errorOf(expired)).toContain('expired');
    const first = cookieOf(res) as string;
    const renewed = await refresh({ cookie: `flowline_refresh=${first}` });
    expect(renewed.status).toBe(200);
    const next = (await renewed.json()) as Answer;
    expect(next.expiresAt).toBe(inSeconds(f.now()) + accessTtlSeconds * 1000);
    expect(next.refreshExpiresAt).toBe(body.refreshExpiresAt); // refreshing never extends the sign-in
    expect(next.user.id).toBe('ana');
    expect(cookieOf(renewed)).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    expect(cookieOf(renewed)).not.toBe(first);
    expect(cookieOf(renewed)?.split('.')[0]).toBe(first.split('.')[0]); // same session, next token of the family
    expect((await me(next.token)).status).toBe(200);
  });

  it('rotates on every use; a rotated token presented again revokes the whole family', async () => {
    const { body } = await signIn('ana', 'body');
    const first = body.refreshToken as string;
    const second = (await (await refresh({ token: first })).json()) as Answer;
    const third = (await (await refresh({ token: second.refreshToken as string })).json()) as Answer;
    expect(new Set([first, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect((await me(third.token)).status).toBe(200);

    const replay = await refresh({ token: first }); // a thief's copy of a used token
    expect(replay.status).toBe(401);
    expect(await errorOf(replay)).toContain('already used');
    // Everything of the family is dead: the newest refresh token, and the access tokens at once.
    expect((await refresh({ token: third.refreshToken as string })).status).toBe(401);
    const afterReuse = await me(third.token);
    expect(afterReuse.status).toBe(401);
    expect(await errorOf(afterReuse)).toContain('session has ended');
    expect(await audit()).toContainEqual(
      expect.objectContaining({ action: 'auth.refresh-reuse', outcome: 'refused', actor: { userId: 'ana', role: 'operator' } }),
    );
  });

  it('refuses a refresh without a token, or with one it never issued, and changes nothing', async () => {
    const none = await refresh({});
    expect(none.status).toBe(401);
    expect(await errorOf(none)).toContain('no refresh token');
    const { body } = await signIn('ana', 'body');
    const [sessionId] = (body.refreshToken as string).split('.');
    const forged = await refresh({ token: `${sessionId}.${'A'.repeat(43)}` });
    expect(forged.status).toBe(401);
    // Knowing the session id (it is in the access token) is not enough to end the session.
    expect((await refresh({ token: body.refreshToken as string })).status).toBe(200);
  });

  it('signs out: the refresh token and the access token stop working, the cookie is cleared', async () => {
    const { body } = await signIn('ana', 'body');
    const out = await f.request('POST', '/v1/auth/sign-out', { headers: { authorization: `Bearer ${body.token}` } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^flowline_refresh=; Max-Age=0; Path=\/v1\/auth\/refresh/);
    expect((await me(body.token)).status).toBe(401);
    expect((await refresh({ token: body.refreshToken as string })).status).toBe(401);
    expect(await audit()).toContainEqual(expect.objectContaining({ action: 'auth.sign-out', actor: { userId: 'ana', role: 'operator' } }));
  });

  it('lets an admin end every session of a user of their tenant, at once', async () => {
    const one = (await signIn('ana', 'body')).body;
    const two = (await signIn('ana', 'body')).body;
    const admin = (await signIn('boss')).body;
    const otherTenant = (await signIn('gadmin')).body;
    const revoke = (token: string) => f.request('DELETE', '/v1/users/ana/sessions', { headers: { authorization: `Bearer ${token}` } });

    // An admin of another tenant reaches no session of acme's ana.
    expect(await (await revoke(otherTenant.token)).json()).toEqual({ userId: 'ana', tenantId: 'globex', revoked: 0 });
    expect((await me(one.token)).status).toBe(200);
    const operator = await revoke(one.token);
    expect(operator.status).toBe(403);

    const res = await revoke(admin.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ userId: 'ana', tenantId: 'acme' });
    for (const session of [one, two]) {
      expect((await me(session.token)).status).toBe(401);
      expect((await refresh({ token: session.refreshToken as string })).status).toBe(401);
    }
    expect((await me(admin.token)).status).toBe(200);
    expect(await audit()).toContainEqual(
      expect.objectContaining({ action: 'auth.sessions-revoke', resource: 'user/ana', actor: { userId: 'boss', role: 'admin' } }),
    );
  });

  it('closes a live socket of a signed-out session at its next keep-alive; another session’s stays open', async () => {
    const server = await f.listen();
    const open = async (token: string) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/v1/live`, ['flowline.v1', `bearer.${token}`]);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return { socket, closed: new Promise<number>((resolve) => socket.once('close', (code) => resolve(code))) };
    };
    try {
      const [ending, staying] = [(await signIn('ana', 'body')).body, (await signIn('ana', 'body')).body];
      const [a, b] = [await open(ending.token), await open(staying.token)];
      await f.request('POST', '/v1/auth/sign-out', { headers: { authorization: `Bearer ${ending.token}` } });
      expect(await a.closed).toBe(sessionEndedCloseCode);
      await new Promise((resolve) => setTimeout(resolve, 500)); // two more keep-alives
      expect(b.socket.readyState).toBe(WebSocket.OPEN);
      b.socket.close();
      await b.closed;
    } finally {
      await server.close();
    }
  });

  it('keeps API keys and tokens without a session working; they have no session to sign out', async () => {
    expect((await f.request('GET', '/v1/me', { headers: { 'x-api-key': machineKey } })).status).toBe(200);
    expect((await f.request('GET', '/v1/me', { role: 'viewer' })).status).toBe(200);
    const out = await f.request('POST', '/v1/auth/sign-out', { headers: { 'x-api-key': machineKey } });
    expect(out.status).toBe(409);
  });
});
