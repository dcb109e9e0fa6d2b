import { problem } from '../http/problem.ts';
import { credentialsOf } from './credentials.ts';
import type { Principal } from './principal.ts';
import type { TokenVerifier } from './token-verifier.ts';

export type Authenticator = (request: Request) => Promise<Principal>;

/**
 * A request → its principal, or a 401 that says what was missing or wrong. A token of a
 * session this gateway issued is refused once that session is signed out or revoked.
 */
export function authenticator(
  verifyToken: TokenVerifier,
  findApiKey: (key: string) => Principal | undefined,
  sessionIsActive: (sessionId: string) => Promise<boolean> = async () => true,
): Authenticator {
  return async (request) => {
    const credentials = credentialsOf(request);
    if (credentials.kind === 'bearer') {
      const principal = await verifyToken(credentials.token);
      if (principal.sessionId && !(await liveSession(sessionIsActive, principal.sessionId)))
        throw problem(401, 'this session has ended (signed out, or revoked by an administrator): sign in again');
      return principal;
    }
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

async function liveSession(isActive: (sessionId: string) => Promise<boolean>, sessionId: string): Promise<boolean> {
  try {
    return await isActive(sessionId);
  } catch {
    // Fail closed: a session that cannot be checked may have been revoked.
    throw problem(503, 'the session store (Redis) did not answer, so the session cannot be checked: try again shortly');
  }
}
