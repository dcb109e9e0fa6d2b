import { SignJWT } from 'jose';
import type { Principal } from './principal.ts';

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/**
 * Issues the HS256 token of a signed-in user: subject, role, tenant and name, as `tokenVerifier`
 * reads them, and the session it belongs to (`sid`), which the gateway checks is still live.
 */
export function tokenIssuer(options: {
  secret: Uint8Array;
  ttlSeconds: number;
  issuer?: string | undefined;
  audience?: string | undefined;
  clock: () => number;
}): (principal: Principal, sessionId?: string) => Promise<IssuedToken> {
  return async (principal, sessionId) => {
    const now = Math.floor(options.clock() / 1000);
    const expiresAt = (now + options.ttlSeconds) * 1000;
    const claims = { role: principal.role, tenant: principal.tenantId, name: principal.name, ...(sessionId ? { sid: sessionId } : {}) };
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(principal.id)
      .setIssuedAt(now)
      .setExpirationTime(now + options.ttlSeconds);
    if (options.issuer) jwt = jwt.setIssuer(options.issuer);
    if (options.audience) jwt = jwt.setAudience(options.audience);
    return { token: await jwt.sign(options.secret), expiresAt };
  };
}
