import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from './principal.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';
import type { IssuedToken } from './token-issuer.ts';

export interface SessionTokens {
  sessionId: string;
  access: IssuedToken;
  /** Opaque `<sessionId>.<secret>`; it expires with the session. */
  refresh: IssuedToken;
}

export type RefreshOutcome =
  | ({ kind: 'rotated'; principal: Principal } & SessionTokens)
  | { kind: 'reused'; session: SessionRecord }
  | { kind: 'user-gone'; session: SessionRecord }
  | { kind: 'unknown' };

export interface SessionKeeper {
  start(principal: Principal): Promise<SessionTokens>;
  /** Rotates a refresh token; `principalOf` re-reads the user, so a removed user cannot refresh. */
  refresh(token: string, principalOf: (session: SessionRecord) => Principal | undefined): Promise<RefreshOutcome>;
  signOut(sessionId: string): Promise<SessionRecord | undefined>;
  revokeUser(tenantId: string, userId: string): Promise<number>;
  /** Whether an access token's session is still live, cached for `activeCacheMs`. */
  isActive(sessionId: string): Promise<boolean>;
}

const refreshTokenPattern = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
// Enough for every session a replica serves at once; past it the cache starts over rather than grow.
const maxCached = 50_000;

/**
 * Sign-in sessions: a short access token (a JWT naming its session in `sid`) and a
 * refresh token rotated on every use (RFC 9700 §4.14, OWASP). Presenting a refresh
 * token the session already rotated means two parties hold it: the whole session is
 * revoked, the thief's copy and the user's alike.
 *
 * Access tokens are checked against the store, so a sign-out or an administrator's
 * revoke stops them within `activeCacheMs` on every replica (at once on the replica that
 * did it) instead of at their expiry; the cache spares Redis a round trip for each of the
 * console's bursts of requests.
 */
export function sessionKeeper(options: {
  store: SessionStore;
  issue: (principal: Principal, sessionId: string) => Promise<IssuedToken>;
  sessionTtlSeconds: number;
  activeCacheMs: number;
  clock: () => number;
}): SessionKeeper {
  const { store, clock } = options;
  const checked = new Map<string, { active: boolean; until: number }>();
  const forget = (sessionIds: readonly string[]) => {
    for (const id of sessionIds) checked.set(id, { active: false, until: Number.POSITIVE_INFINITY });
  };
  const refreshToken = (sessionId: string) => {
    const secret = randomBytes(32).toString('base64url');
    return { token: `${sessionId}.${secret}`, hash: digest(secret) };
  };
  const tokensOf = async (principal: Principal, session: SessionRecord, refresh: { token: string }) => ({
    sessionId: session.sessionId,
    access: await options.issue(principal, session.sessionId),
    refresh: { token: refresh.token, expiresAt: session.expiresAt },
  });

  return {
    async start(principal) {
      const now = clock();
      const session: SessionRecord = {
        sessionId: randomBytes(16).toString('base64url'),
        userId: principal.id,
        tenantId: principal.tenantId,
        role: principal.role,
        createdAt: now,
        expiresAt: now + options.sessionTtlSeconds * 1000,
      };
      const refresh = refreshToken(session.sessionId);
      await store.create(session, refresh.hash);
      return tokensOf(principal, session, refresh);
    },

    async refresh(token, principalOf) {
      const match = refreshTokenPattern.exec(token);
      if (!match) return { kind: 'unknown' };
      const [, sessionId, secret] = match as unknown as [string, string, string];
      const next = refreshToken(sessionId);
      const outcome = await store.rotate(sessionId, digest(secret), next.hash);
      if (outcome.kind === 'unknown') return outcome;
      if (outcome.kind === 'reused') {
        forget([sessionId]);
        return outcome;
      }
      const principal = principalOf(outcome.session);
      if (!principal) {
        await store.revoke(sessionId);
        forget([sessionId]);
        return { kind: 'user-gone', session: outcome.session };
      }
      return { kind: 'rotated', principal, ...(await tokensOf(principal, outcome.session, next)) };
    },

    async signOut(sessionId) {
      const ended = await store.revoke(sessionId);
      forget([sessionId]);
      return ended;
    },

    async revokeUser(tenantId, userId) {
      const ended = await store.revokeUser(tenantId, userId);
      forget(ended);
      return ended.length;
    },

    async isActive(sessionId) {
      const now = clock();
      const cached = checked.get(sessionId);
      if (cached && cached.until > now) return cached.active;
      const active = await store.isActive(sessionId);
      if (checked.size >= maxCached) checked.clear();
      checked.set(sessionId, { active, until: active ? now + options.activeCacheMs : Number.POSITIVE_INFINITY });
      return active;
    },
  };
}
