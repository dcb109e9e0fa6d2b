/**
 * `node gateway/hash-password.ts` — reads a password on stdin, prints its scrypt hash
 * for a users file (GATEWAY_USERS_FILE). Reading stdin keeps the password out of the
 * shell history: `printf %s "$PASSWORD" | node gateway/hash-password.ts`.
 */
import { text } from 'node:stream/consumers';
import { hashPassword } from './auth/password-hash.ts';

const password = (await text(process.stdin)).replace(/\r?\n$/, '');
if (password.length < 12) {
  console.error('use a password of at least 12 characters');
  process.exit(2);
}
console.log(await hashPassword(password));
