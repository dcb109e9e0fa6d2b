import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { sha256Hex } from './api-keys.ts';
import { hashPassword } from './password-hash.ts';

/** Password sign-in for configured users (the embedded default), and API keys for machines. */
let f: GatewayFixture;
const password = 'correct horse battery staple';
const machineKey = 'flk_test-key-for-the-separator-plc';

beforeAll(async () => {
  f = await gatewayFixture({
    users: [{ username: 'ana', name: 'Ana Ruiz', passwordHash: await hashPassword(password), role: 'operator', tenantId: 'acme' }],
    apiKeys: [{ id: 'separator-plc', sha256: sha256Hex(machineKey), role: 'scada', tenantId: 'acme', description: 'north separator PLC' }],
    options: { rateLimits: { read: 100, write: 100, ingest: 100, signIn: 3, windowMs: 60_000 } },
  });
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const signIn = (username: string, pw: string) => f.request('POST', '/v1/auth/sign-in', { body: { username, password: pw } });

describe('sign-in', () => {
  it('answers a token that opens the API, and audits the sign-in', async () => {
    const res = await signIn('ana', password);
    expect(res.status).toBe(200);
    const session = (await res.json()) as { token: string; expiresAt: number; user: { id: string; role: string; permissions: string[] } };
    expect(session.user).toMatchObject({ id: 'ana', name: 'Ana Ruiz', role: 'operator', tenantId: 'acme', tenantName: 'ACME Energy' });
    expect(session.user.permissions).toContain('alarms.acknowledge');
    expect(session.user.permissions).not.toContain('alarms.shelve');
    expect(session.expiresAt).toBeGreaterThan(f.now());
    const me = await f.request('GET', '/v1/me', { headers: { authorization: `Bearer ${session.token}` } });
    expect(me.status).toBe(200);
    await f.bed.drained();
    const audit = f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);
    expect(audit).toContainEqual(
      expect.objectContaining({ action: 'auth.sign-in', outcome: 'success', actor: { userId: 'ana', role: 'operator' } }),
    );
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    for (const [user, pw] of [
      ['ana', 'wrong'],
      ['nobody', password],
    ]) {
      const res = await signIn(user as string, pw as string);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('wrong user name or password');
    }
  });

  it('stops password guessing after the budget', async () => {
    f.advance(60_000);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signIn('ana', `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Even the right password waits for the next window: the limit is per address and user name.
    expect((await signIn('ana', password)).status).toBe(429);
    f.advance(60_000);
    expect((await signIn('ana', password)).status).toBe(200);
  });
});

describe('refresh', () => {
  it('has the same budget per address as sign-in: guessing refresh tokens is not free', async () => {
    f.advance(60_000);
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await f.request('POST', '/v1/auth/refresh', { body: { refreshToken: `guess-${i}` } })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('API keys', () => {
  it('let a machine in with its role and tenant, and are never echoed', async () => {
    const res = await f.request('GET', '/v1/me', { headers: { 'x-api-key': machineKey } });
    expect(await res.json()).toMatchObject({ id: 'separator-plc', kind: 'api-key', role: 'scada', tenantId: 'acme' });
    const unknown = await f.request('GET', '/v1/me', { headers: { 'x-api-key': 'flk_guess' } });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).not.toContain('flk_guess');
  });
});
