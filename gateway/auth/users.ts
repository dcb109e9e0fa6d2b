import { z } from 'zod';
import { Identifier, Role } from '#contracts';
import { decoyHash, passwordHashPattern, verifyPassword } from './password-hash.ts';
import type { Principal } from './principal.ts';

/**
 * People who may sign in to the UI with a password, when the gateway issues its own
 * tokens (the embedded default, small sites). In production, people sign in with the
 * organisation's identity provider and the gateway only verifies its tokens (JWKS).
 */
export const UserEntry = z
  .object({
    username: Identifier,
    name: z.string().min(1).max(128).optional(),
    passwordHash: z.string().regex(passwordHashPattern, 'use a scrypt hash from `node gateway/hash-password.ts` (scrypt$N$r$p$salt$key)'),
    role: Role,
    tenantId: Identifier,
  })
  .strict();
export type UserEntry = z.infer<typeof UserEntry>;

export const UsersFile = z.object({ users: z.array(UserEntry) }).strict();

export interface UserDirectory {
  readonly size: number;
  /** The user's principal when the password is right; undefined otherwise (same cost either way). */
  authenticate(username: string, password: string): Promise<Principal | undefined>;
  /** The principal of a user still configured here (a refresh re-reads it: a removed user's session ends). */
  find(username: string, tenantId: string): Principal | undefined;
}

export function userDirectory(users: readonly UserEntry[]): UserDirectory {
  const byName = new Map(users.map((u) => [u.username, u]));
  const principalOf = (user: UserEntry): Principal => ({
    kind: 'user',
    id: user.username,
    name: user.name ?? user.username,
    role: user.role,
    tenantId: user.tenantId,
  });
  return {
    size: byName.size,
    async authenticate(username, password) {
      const user = byName.get(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? decoyHash);
      if (!user || !ok) return undefined;
      return principalOf(user);
    },
    find(username, tenantId) {
      const user = byName.get(username);
      return user && user.tenantId === tenantId ? principalOf(user) : undefined;
    },
  };
}
