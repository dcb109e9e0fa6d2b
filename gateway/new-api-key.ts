/**
 * `node gateway/new-api-key.ts <id> <role> <tenantId>` — makes a random API key for a
 * machine: prints the key (give it to the machine, once) and the entry for the keys file
 * (GATEWAY_API_KEYS_FILE), which holds only its SHA-256.
 */
import { randomBytes } from 'node:crypto';
import { ApiKeyEntry, sha256Hex } from './auth/api-keys.ts';

const [id, role, tenantId] = process.argv.slice(2);
const key = `flk_${randomBytes(32).toString('base64url')}`;
const entry = ApiKeyEntry.safeParse({ id, role, tenantId, sha256: sha256Hex(key) });
if (!entry.success) {
  console.error(
    `usage: node gateway/new-api-key.ts <id> <role> <tenantId>\n${entry.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`,
  );
  process.exit(2);
}
console.log(`key (give it to the machine; it is not stored anywhere): ${key}`);
console.log(
  `keys-file entry:\n  - { id: ${entry.data.id}, role: ${entry.data.role}, tenantId: ${entry.data.tenantId}, sha256: ${entry.data.sha256} }`,
);
