import type { Role } from '#contracts';

/**
 * One sign-in: the family of refresh tokens it hands out, one after another. Only the
 * SHA-256 of a refresh token's secret is kept, never the token itself.
 */
export interface SessionRecord {
  sessionId: string;
  userId: string;
  tenantId: string;
  /** The role signed in with: what the audit trail names if the session's refresh token is reused. */
  role: Role;
  createdAt: number;
  /** The sign-in's absolute end (epoch ms): refreshing never extends it. */
  expiresAt: number;
}

/**
 * What presenting a refresh token did. `rotated`: it was the family's current token and
 * has been replaced. `reused`: it was one the family had already rotated away, so it was
 * copied (RFC 9700 §4.14): the whole family is revoked. `unknown`: no live session
 * issued it (signed out, revoked, expired, or never ours).
 */
export type RotateOutcome = { kind: 'rotated'; session: SessionRecord } | { kind: 'reused'; session: SessionRecord } | { kind: 'unknown' };

/** Where sessions live: Redis in production (every replica sees a revocation), memory for `npm start`. */
export interface SessionStore {
  create(session: SessionRecord, refreshHash: string): Promise<void>;
  /** Atomically: the current hash becomes `nextHash`; a hash the family already rotated revokes the family. */
  rotate(sessionId: string, presentedHash: string, nextHash: string): Promise<RotateOutcome>;
  isActive(sessionId: string): Promise<boolean>;
  /** Ends one session (sign-out); its record, if it was live. */
  revoke(sessionId: string): Promise<SessionRecord | undefined>;
  /** Ends every live session of a user of a tenant (an administrator's revoke); how many there were. */
  revokeUser(tenantId: string, userId: string): Promise<string[]>;
}
