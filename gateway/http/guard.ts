import type { MiddlewareHandler } from 'hono';
import type { AuditFact } from '../audit/audit-trail.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { type Access, may, permissions } from '../auth/permissions.ts';
import type { RateClass, RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { GatewayEnv } from './gateway-env.ts';
import { problem } from './problem.ts';

export interface GuardDeps {
  authenticate: Authenticator;
  limiter: RateLimiter;
  /** Best effort: a refused change is audited, but the refusal does not wait for the bus. */
  audit: (fact: AuditFact) => void;
}

/**
 * The door of every route: who is calling (401), may their role do this (403), and
 * have they budget left (429). A refused change is audited as such.
 */
export function guard(access: Access, rateClass: RateClass | undefined, deps: GuardDeps): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    if (access === 'public') return next();
    const principal = await deps.authenticate(c.req.raw);
    c.set('principal', principal);
    c.set('log', c.get('log').child({ principal: `${principal.kind}:${principal.id}`, tenant: principal.tenantId }));
    if (access !== 'signed-in' && !may(principal.role, access)) {
      if (rateClass === 'write' || rateClass === 'ingest') {
        deps.audit({
          principal,
          action: access,
          resource: new URL(c.req.url).pathname,
          outcome: 'refused',
          reason: `role ${principal.role} may not ${access}`,
        });
      }
      throw problem(
        403,
        `your role "${principal.role}" may not ${access.replace('.', ': ')}; roles that may: ${permissions[access].join(', ')}`,
      );
    }
    if (rateClass) {
      const decision = await deps.limiter.take(`${principal.tenantId}:${principal.kind}:${principal.id}`, rateClass);
      const resetSeconds = String(Math.ceil(decision.resetMs / 1000));
      c.header('ratelimit-limit', String(decision.limit));
      c.header('ratelimit-remaining', String(decision.remaining));
      c.header('ratelimit-reset', resetSeconds);
      if (!decision.allowed) {
        throw problem(429, `too many ${rateClass} requests: at most ${decision.limit} a minute; try again in ${resetSeconds} s`, {
          headers: {
            'retry-after': resetSeconds,
            'ratelimit-limit': String(decision.limit),
            'ratelimit-remaining': '0',
            'ratelimit-reset': resetSeconds,
          },
        });
      }
    }
    await next();
  };
}
