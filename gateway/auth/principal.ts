import type { Role } from '#contracts';

/**
 * Who is calling, once authenticated: a person (JWT) or a machine (API key). Every
 * principal belongs to exactly one tenant, and every query and stream is scoped to it.
 */
export interface Principal {
  kind: 'user' | 'api-key';
  /** The JWT subject, or the API key's id (never the key itself). */
  id: string;
  /** What the audit trail and the alarm list show as "who". */
  name: string;
  role: Role;
  tenantId: string;
  /** The sign-in session of a token this gateway issued (`sid`); absent for API keys and an identity provider's tokens. */
  sessionId?: string | undefined;
}

/** The principal's identity as the audit trail and the commands' `requestedBy` carry it. */
export const actorOf = (principal: Principal) => ({ userId: principal.id, role: principal.role });
