import { getConnInfo } from '@hono/node-server/conninfo';
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Role } from '#contracts';
import { permissionsOf } from '../auth/permissions.ts';
import type { Principal } from '../auth/principal.ts';
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

const SignIn = z
  .object({ username: z.string().min(1).max(128), password: z.string().min(1).max(1024) })
  .strict()
  .openapi('SignIn');
const Session = z.object({ token: z.string(), expiresAt: z.number().int(), user: Me }).openapi('Session');

/** POST /v1/auth/sign-in (the embedded default's users) and GET /v1/me. */
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

  app.openapi(
    s.secured('public', {
      method: 'post',
      path: '/v1/auth/sign-in',
      tags: ['auth'],
      summary: 'Sign in with a user name and password; answers a bearer token',
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
      if (!s.signIn) throw problem(404, 'this gateway has no password sign-in: sign in with your identity provider and send its token');
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
      s.auditLater({ principal, action: 'auth.sign-in', resource: `user/${principal.id}`, outcome: 'success', details: { address } });
      const issued = await s.signIn.issue(principal);
      return c.json({ ...issued, user: meOf(principal) }, 200);
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
