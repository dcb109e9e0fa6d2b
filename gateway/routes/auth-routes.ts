import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Identifier, Role } from '#contracts';
import { permissionsOf } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
import { clearRefreshCookie, refreshCookie, refreshCookieOf, setRefreshCookie } from '../auth/refresh-cookie.ts';
import type { SessionTokens } from '../auth/session-keeper.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem, problem } from '../http/problem.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';

const Me = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['user', 'api-key']),
    role: Role,
    tenantId: z.string(),
    tenantName: z.string(),
    permissions: z.array(z.string()).describe('what this role may do: the UI shows only the actions it may take'),
  })
  .openapi('Me');

const RefreshTokenIn = z
  .enum(['cookie', 'body'])
  .describe(
    `where the refresh token travels: \`cookie\` (default; HttpOnly, Secure, SameSite=Strict, path ${refreshCookie.path}: browsers) or \`body\` (API clients, which keep it secret themselves)`,
  );
const SignIn = z
  .object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024), refreshTokenIn: RefreshTokenIn.optional() })
  .strict()
  .openapi('SignIn');
const Session = z
  .object({
    token: z.string().describe('the access token: send it as "Authorization: Bearer <token>"'),
    expiresAt: z.number().int().describe('when the access token expires (epoch ms): refresh before then'),
    refreshToken: z.string().optional().describe('only when asked for in the body; single use: each refresh answers the next one'),
    refreshExpiresAt: z.number().int().describe('when the sign-in itself ends (epoch ms): refreshing does not extend it'),
    user: Me,
  })
  .openapi('Session');
const Refresh = z
  .object({
    refreshToken: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('from the body of the sign-in or of the last refresh; without it, the cookie'),
  })
  .strict()
  .openapi('Refresh');
const SessionsRevoked = z.object({ userId: z.string(), tenantId: z.string(), revoked: z.number().int() }).openapi('SessionsRevoked');

const noSignIn = 'this gateway has no password sign-in: sign in with your identity provider and send its token';

/**
 * Password sign-in (the embedded default's users, small sites) and its sessions: refresh,
 * sign-out and an administrator's revoke; GET /v1/me.
 */
export function authRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  const meOf = (p: Principal) => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    role: p.role,
    tenantId: p.tenantId,
    tenantName: s.assets.index.registry.tenants.find((t) => t.id === p.tenantId)?.name ?? p.tenantId,
    permissions: permissionsOf(p.role),
  });

  /** The Session answer; the refresh token goes where the client asked for it (or presented it). */
  const answer = (c: Context, tokens: SessionTokens, principal: Principal, refreshTokenIn: 'cookie' | 'body') => {
    if (refreshTokenIn === 'cookie') setRefreshCookie(c, tokens.refresh.token, tokens.refresh.expiresAt, s.clock());
    return {
      token: tokens.access.token,
      expiresAt: tokens.access.expiresAt,
      ...(refreshTokenIn === 'body' ? { refreshToken: tokens.refresh.token } : {}),
      refreshExpiresAt: tokens.refresh.expiresAt,
      user: meOf(principal),
    };
  };

  app.openapi(
    s.secured('public', {
      method: 'post',
      path: '/v1/auth/sign-in',
      tags: ['auth'],
      summary: 'Sign in with a user name and password; answers a short access token and a refresh token',
      description:
        'Only where the gateway issues its own tokens (configured users, HS256). With an identity provider, get the token from it instead (JWKS).',
      request: { body: { content: { 'application/json': { schema: SignIn } }, required: true } },
      responses: {
        200: { description: 'Signed in', content: { 'application/json': { schema: Session } } },
        401: { description: 'Wrong user name or password', content: { 'application/json': { schema: Problem } } },
        404: { description: 'Sign-in is not offered here', content: { 'application/json': { schema: Problem } } },
        429: {
          description: 'Too many attempts for this user name from this address: wait the Retry-After seconds',
          content: { 'application/json': { schema: Problem } },
        },
      },
    }),
    async (c) => {
      if (!s.signIn) throw problem(404, noSignIn);
      const { username, password } = c.req.valid('json');
      const address = clientAddress(c);
      const budget = await s.limiter.take(`sign-in:${address}:${username}`, 'signIn');
      if (!budget.allowed) {
        const retry = String(Math.ceil(budget.resetMs / 1000));
        throw problem(429, `too many sign-in attempts for "${username}" from here; try again in ${retry} s`, {
          headers: { 'retry-after': retry },
        });
      }
      const principal = await s.signIn.users.authenticate(username, password);
      if (!principal) {
        s.log.warn({ username, address }, 'sign-in refused');
        throw problem(401, 'wrong user name or password');
      }
      const tokens = await s.signIn.sessions.start(principal);
      s.auditLater({
        principal,
        action: 'auth.sign-in',
        resource: `user/${principal.id}`,
        outcome: 'success',
        details: { address, session: tokens.sessionId },
      });
      return c.json(answer(c, tokens, principal, c.req.valid('json').refreshTokenIn ?? 'cookie'), 200);
    },
  );

  app.openapi(
    s.secured('public', {
      method: 'post',
      path: '/v1/auth/refresh',
      tags: ['auth'],
      summary: 'A new access token for a refresh token, which is used up: the answer carries the next one',
      description: [
        `The refresh token comes from the body, or else from the ${refreshCookie.name} cookie (and the next one goes back the same way).`,
        'A refresh token presented a second time was copied: the whole sign-in is revoked, and both holders must sign in again.',
      ].join(' '),
      request: { body: { content: { 'application/json': { schema: Refresh } }, required: false } },
      responses: {
        200: { description: 'A new access token (and refresh token)', content: { 'application/json': { schema: Session } } },
        401: {
          description: 'No refresh token, or one that is used up, expired, signed out or revoked: sign in again',
          content: { 'application/json': { schema: Problem } },
        },
        404: { description: 'Sign-in is not offered here', content: { 'application/json': { schema: Problem } } },
        429: {
          description: 'Too many refreshes from this address: wait the Retry-After seconds',
          content: { 'application/json': { schema: Problem } },
        },
      },
    }),
    async (c) => {
      if (!s.signIn) throw problem(404, noSignIn);
      const { users, sessions } = s.signIn;
      // Public, so budgeted per address like sign-in: guessing costs a Redis call each.
      const budget = await s.limiter.take(`refresh:${clientAddress(c)}`, 'signIn');
      if (!budget.allowed) {
        const retry = String(Math.ceil(budget.resetMs / 1000));
        throw problem(429, `too many refreshes from here; try again in ${retry} s`, { headers: { 'retry-after': retry } });
      }
      const fromBody = c.req.valid('json')?.refreshToken;
      const presented = fromBody ?? refreshCookieOf(c);
      if (!presented)
        throw problem(401, `no refresh token: send {"refreshToken": "…"} or the ${refreshCookie.name} cookie, or sign in again`);
      const outcome = await sessions.refresh(presented, (session) => users.find(session.userId, session.tenantId));
      if (outcome.kind === 'rotated') return c.json(answer(c, outcome, outcome.principal, fromBody ? 'body' : 'cookie'), 200);
      if (!fromBody) clearRefreshCookie(c);
      if (outcome.kind === 'reused') {
        const { session } = outcome;
        s.log.warn(
          { session: session.sessionId, userId: session.userId, address: clientAddress(c) },
          'refresh token reused: session revoked',
        );
        s.auditLater({
          principal: { id: session.userId, role: session.role, tenantId: session.tenantId },
          action: 'auth.refresh-reuse',
          resource: `user/${session.userId}`,
          outcome: 'refused',
          reason: 'a refresh token was presented a second time: the session was revoked',
          details: { session: session.sessionId, address: clientAddress(c) },
        });
        throw problem(401, 'this refresh token was already used, so it may have been copied: the session is revoked; sign in again');
      }
      if (outcome.kind === 'user-gone') throw problem(401, 'this user can no longer sign in here: the session is ended');
      throw problem(401, 'the refresh token is not valid (used up, expired, signed out or revoked): sign in again');
    },
  );

  app.openapi(
    s.secured('signed-in', {
      method: 'post',
      path: '/v1/auth/sign-out',
      tags: ['auth'],
      summary: 'Ends the session of the access token: its refresh token stops working, and so does the access token',
      responses: {
        204: { description: 'Signed out' },
        409: {
          description: 'These credentials have no session here (an API key, or an identity provider’s token)',
          content: { 'application/json': { schema: Problem } },
        },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      clearRefreshCookie(c);
      if (!principal.sessionId || !s.signIn)
        throw problem(
          409,
          'these credentials have no session here: an API key ends when it is removed from the keys file, an identity provider’s token at the provider',
        );
      await s.signIn.sessions.signOut(principal.sessionId);
      s.auditLater({
        principal,
        action: 'auth.sign-out',
        resource: `user/${principal.id}`,
        outcome: 'success',
        details: { session: principal.sessionId },
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    s.secured('sessions.revoke', {
      method: 'delete',
      path: '/v1/users/{userId}/sessions',
      tags: ['auth'],
      summary: 'Ends every session of a user of the caller’s tenant: their refresh tokens and access tokens stop working',
      description:
        'Access tokens stop within a few seconds on every replica (each caches its last look at a session briefly). Tokens of an identity provider are revoked there.',
      request: { params: z.object({ userId: Identifier }) },
      responses: {
        200: {
          description: 'How many sessions were ended (0 for a user with none)',
          content: { 'application/json': { schema: SessionsRevoked } },
        },
        404: { description: 'Sign-in is not offered here', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      if (!s.signIn) throw problem(404, noSignIn);
      const principal = c.get('principal');
      const { userId } = c.req.valid('param');
      const revoked = await s.signIn.sessions.revokeUser(principal.tenantId, userId);
      s.auditLater({ principal, action: 'auth.sessions-revoke', resource: `user/${userId}`, outcome: 'success', details: { revoked } });
      return c.json({ userId, tenantId: principal.tenantId, revoked }, 200);
    },
  );

  app.openapi(
    s.secured('signed-in', {
      method: 'get',
      path: '/v1/me',
      tags: ['auth'],
      summary: 'Who the credentials belong to, and what they may do',
      responses: { 200: { description: 'The caller', content: { 'application/json': { schema: Me } } } },
    }),
    (c) => c.json(meOf(c.get('principal')), 200),
  );
  return app;
}

function clientAddress(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not served by @hono/node-server (app.request in tests)
  }
}
