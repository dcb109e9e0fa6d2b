import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Identifier, Role } from '#contracts';
import type { Principal } from './principal.ts';

/**
 * A machine's credential: the SHA-256 of a random key (the key itself is never
 * stored), its role and its tenant. Keys are sent in the `X-API-Key` header.
 */
export const ApiKeyEntry = z
  .object({
    id: Identifier.describe('shown in logs and the audit trail instead of the key'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key: `printf %s "$KEY" | sha256sum`'),
    role: Role,
    tenantId: Identifier,
    description: z.string().max(200).optional(),
  })
  .strict();
export type ApiKeyEntry = z.infer<typeof ApiKeyEntry>;

export const ApiKeysFile = z.object({ keys: z.array(ApiKeyEntry) }).strict();

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Finds the principal of a presented key. Lookup is by digest, so a timing difference reveals nothing about a key. */
export function apiKeyRing(entries: readonly ApiKeyEntry[]): (presented: string) => Principal | undefined {
  const byDigest = new Map(entries.map((e) => [e.sha256, e]));
  return (presented) => {
    const entry = byDigest.get(sha256Hex(presented));
    return entry && { kind: 'api-key', id: entry.id, name: entry.description ?? entry.id, role: entry.role, tenantId: entry.tenantId };
  };
}
