import { problem } from '../http/problem.ts';
import { credentialsOf } from './credentials.ts';
import type { Principal } from './principal.ts';
import type { TokenVerifier } from './token-verifier.ts';

export type Authenticator = (request: Request) => Promise<Principal>;

/** A request → its principal, or a 401 that says what was missing or wrong. */
export function authenticator(verifyToken: TokenVerifier, findApiKey: (key: string) => Principal | undefined): Authenticator {
  return async (request) => {
    const credentials = credentialsOf(request);
    if (credentials.kind === 'bearer') return verifyToken(credentials.token);
    if (credentials.kind === 'api-key') {
      const principal = findApiKey(credentials.key);
      if (!principal) throw problem(401, 'the API key is not known here: check it, or ask an administrator for a new one');
      return principal;
    }
    throw problem(
      401,
      'sign in first: send "Authorization: Bearer <token>" (from POST /v1/auth/sign-in or your identity provider) or "X-API-Key: <key>"',
      {
        headers: { 'www-authenticate': 'Bearer realm="flowline"' },
      },
    );
  };
}
