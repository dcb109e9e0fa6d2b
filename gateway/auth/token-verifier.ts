import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Role } from '#contracts';
import { problem } from '../http/problem.ts';
import type { Principal } from './principal.ts';

export interface TokenSettings {
  /** HS256: tokens this gateway issues at sign-in (and any system sharing the secret). At least 32 bytes. */
  hs256Secret?: Uint8Array | undefined;
  /** RS256/ES256/PS256: the identity provider's key set (e.g. Keycloak's …/protocol/openid-connect/certs). */
  jwksUrl?: URL | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Where a JWKS-signed token keeps the role and the tenant: claim names, dotted for nested ones (realm_access.roles). */
  roleClaim: string;
  tenantClaim: string;
  nameClaim: string;
  clockToleranceSeconds?: number;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

// When a role claim lists several roles (an IdP group list), the most capable one counts.
const rolePrecedence: Role[] = ['admin', 'supervisor', 'operator', 'viewer', 'scada'];

/**
 * Verifies a bearer token with jose and maps its claims to a principal. HS256 tokens
 * carry `role`, `tenant` and `name` (as the gateway issues them); tokens signed with a
 * key of the JWKS carry them where the settings say.
 */
export function tokenVerifier(settings: TokenSettings, clock?: () => number): TokenVerifier {
  const jwks = settings.jwksUrl ? createRemoteJWKSet(settings.jwksUrl, { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) : undefined;
  const algorithms = [...(settings.hs256Secret ? ['HS256'] : []), ...(jwks ? ['RS256', 'ES256', 'PS256'] : [])];
  const key: JWTVerifyGetKey = async (header, token) => {
    if (header.alg === 'HS256' && settings.hs256Secret) return settings.hs256Secret;
    if (jwks && header.alg !== 'HS256') return jwks(header, token);
    throw problem(401, `tokens signed with ${header.alg ?? 'no algorithm'} are not accepted here; accepted: ${algorithms.join(', ')}`);
  };
  return async (token) => {
    if (algorithms.length === 0)
      throw problem(401, 'this gateway accepts no bearer tokens (no JWT secret or JWKS configured): use an API key');
    let payload: JWTPayload;
    let alg: string | undefined;
    try {
      const verified = await jwtVerify(token, key, {
        algorithms,
        ...(settings.issuer ? { issuer: settings.issuer } : {}),
        ...(settings.audience ? { audience: settings.audience } : {}),
        clockTolerance: settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['sub', 'exp'],
        ...(clock ? { currentDate: new Date(clock()) } : {}),
      });
      payload = verified.payload;
      alg = verified.protectedHeader.alg;
    } catch (error) {
      throw problem(401, reasonOf(error, token, algorithms));
    }
    const own = alg === 'HS256';
    const role = roleOf(claimAt(payload, own ? 'role' : settings.roleClaim));
    if (!role)
      throw problem(
        401,
        `the token names no Flowline role in "${own ? 'role' : settings.roleClaim}" (one of ${rolePrecedence.join(', ')})`,
      );
    const tenant = claimAt(payload, own ? 'tenant' : settings.tenantClaim);
    if (typeof tenant !== 'string' || tenant === '')
      throw problem(401, `the token has no tenant in "${own ? 'tenant' : settings.tenantClaim}": every principal belongs to one tenant`);
    const name = claimAt(payload, own ? 'name' : settings.nameClaim);
    const subject = payload.sub as string;
    const sessionId = own && typeof payload.sid === 'string' ? payload.sid : undefined;
    return { kind: 'user', id: subject, name: typeof name === 'string' && name ? name : subject, role, tenantId: tenant, sessionId };
  };
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.'))
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function roleOf(claim: unknown): Role | undefined {
  const named = (Array.isArray(claim) ? claim : [claim]).filter((r): r is string => typeof r === 'string');
  return rolePrecedence.find((role) => named.includes(role));
}

function reasonOf(error: unknown, token: string, algorithms: string[]): string {
  const code = (error as { code?: string }).code;
  const status = (error as { status?: number }).status;
  if (status === 401 && error instanceof Error) return error.message; // our own refusal from the key resolver
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      // Only this gateway's own tokens are refreshed here; an identity provider's are refreshed there.
      return algOf(token) === 'HS256'
        ? 'the token has expired: get a new one from POST /v1/auth/refresh, or sign in again'
        : 'the token has expired: sign in again';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature does not verify: it was not issued by a trusted issuer, or was altered';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const e = error as { claim?: string; reason?: string };
      return `the token's "${e.claim}" claim is not acceptable (${e.reason}): check the issuer, audience and clock`;
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `tokens signed with ${algOf(token) ?? 'an algorithm'} are not accepted here; accepted: ${algorithms.join(', ')}`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key of the identity provider matches the token (kid): it may have rotated keys; sign in again';
    case 'ERR_JWKS_TIMEOUT':
      return 'the identity provider’s key set did not answer in time: try again shortly';
    default:
      return 'the bearer token is not a valid JWT';
  }
}

function algOf(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}
