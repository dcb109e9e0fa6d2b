import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TokenVerifier, tokenVerifier } from './token-verifier.ts';

/**
 * Production identity: tokens an identity provider signs with RS256, verified against
 * its JWKS, served here by a real HTTP server on loopback as Keycloak would serve it;
 * and the gateway's own HS256 tokens.
 */
let server: Server;
let jwksUrl: URL;
let signingKey: CryptoKey;
let otherKey: CryptoKey;
let verify: TokenVerifier;
const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
const issuer = 'https://id.example.test/realms/plant';
const audience = 'flowline';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/certs`);
  verify = tokenVerifier({
    hs256Secret: secret,
    jwksUrl,
    issuer,
    audience,
    roleClaim: 'realm_access.roles',
    tenantClaim: 'org',
    nameClaim: 'preferred_username',
  });
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

const idpToken = (claims: Record<string, unknown>, options: { key?: CryptoKey; exp?: string | number; iss?: string; aud?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('u-123')
    .setIssuer(options.iss ?? issuer)
    .setAudience(options.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? '5m')
    .sign(options.key ?? signingKey);

const refusal = async (token: string) => {
  try {
    await verify(token);
    return 'accepted';
  } catch (error) {
    return `${(error as { status?: number }).status}: ${(error as Error).message}`;
  }
};

describe('tokens of the identity provider (RS256, JWKS)', () => {
  it('maps the configured claims: the most capable known role of a list, the tenant, the name', async () => {
    const token = await idpToken({
      realm_access: { roles: ['offline_access', 'viewer', 'supervisor'] },
      org: 'acme',
      preferred_username: 'ana',
    });
    expect(await verify(token)).toEqual({ kind: 'user', id: 'u-123', name: 'ana', role: 'supervisor', tenantId: 'acme' });
  });

  it('refuses a token signed by another key, for another audience or issuer, or expired', async () => {
    const claims = { realm_access: { roles: ['operator'] }, org: 'acme' };
    expect(await refusal(await idpToken(claims, { key: otherKey }))).toMatch(/^401: the token signature does not verify/);
    expect(await refusal(await idpToken(claims, { aud: 'someone-else' }))).toMatch(/^401: the token's "aud" claim is not acceptable/);
    expect(await refusal(await idpToken(claims, { iss: 'https://evil.example' }))).toMatch(
      /^401: the token's "iss" claim is not acceptable/,
    );
    expect(await refusal(await idpToken(claims, { exp: Math.floor(Date.now() / 1000) - 3600 }))).toBe(
      '401: the token has expired: sign in again',
    );
  });

  it('refuses a token without a Flowline role or without a tenant, saying which claim', async () => {
    expect(await refusal(await idpToken({ realm_access: { roles: ['offline_access'] }, org: 'acme' }))).toMatch(
      /names no Flowline role in "realm_access.roles"/,
    );
    expect(await refusal(await idpToken({ realm_access: { roles: ['viewer'] } }))).toMatch(/has no tenant in "org"/);
  });

  it('refuses unsigned tokens and garbage', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', role: 'admin', tenant: 'acme', exp: 9e9 })).toString('base64url')}.`;
    expect(await refusal(unsigned)).toMatch(/^401: /);
    expect(await refusal('garbage')).toBe('401: the bearer token is not a valid JWT');
  });
});

describe('the gateway’s own tokens (HS256)', () => {
  const own = (claims: Record<string, unknown>, key = secret) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ana')
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(key);

  it('read role, tenant and name from their own claims', async () => {
    expect(await verify(await own({ role: 'operator', tenant: 'acme', name: 'Ana' }))).toEqual({
      kind: 'user',
      id: 'ana',
      name: 'Ana',
      role: 'operator',
      tenantId: 'acme',
    });
  });

  it('are refused when signed with another secret, or where no secret is configured', async () => {
    expect(
      await refusal(await own({ role: 'admin', tenant: 'acme' }, new TextEncoder().encode('another-secret-another-secret-xx'))),
    ).toMatch(/signature does not verify/);
    const jwksOnly = tokenVerifier({ jwksUrl, issuer, audience, roleClaim: 'role', tenantClaim: 'tenant', nameClaim: 'name' });
    await expect(jwksOnly(await own({ role: 'admin', tenant: 'acme' }))).rejects.toThrow(
      /tokens signed with HS256 are not accepted here; accepted: RS256/,
    );
  });
});
