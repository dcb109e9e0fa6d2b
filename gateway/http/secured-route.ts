import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { type Access, rolesFor } from '../auth/permissions.ts';
import type { RateClass } from '../rate-limit/rate-limiter.ts';
import { checkedResponses } from './checked-responses.ts';
import { type GuardDeps, guard } from './guard.ts';
import { bodyProblemResponses, problemResponses, requestProblemResponses } from './problem.ts';

export type SecuredRoute = <R extends RouteConfig>(access: Access, route: R) => R & { getRoutingPath(): string };

/** Reads cost little; changes and ingestion have their own budgets. */
export function rateClassOf(access: Access, method: string): RateClass | undefined {
  if (access === 'public') return undefined;
  if (access === 'telemetry.ingest') return 'ingest';
  return method.toLowerCase() === 'get' ? 'read' : 'write';
}

/**
 * `createRoute` with the door and the answer check in front of the handler: the access
 * a route needs is declared beside its schemas, shows in the OpenAPI document
 * (`x-flowline-access`, `x-flowline-roles`), and is checked on every call.
 */
export function securedRouteFactory(deps: GuardDeps): SecuredRoute {
  return (access, route) => {
    const responses = {
      ...(access === 'public' ? requestProblemResponses : problemResponses),
      ...(route.request?.body ? bodyProblemResponses : {}),
      ...route.responses,
    };
    return createRoute({
      ...route,
      responses,
      middleware: [
        guard(access, rateClassOf(access, route.method), deps),
        checkedResponses(responses as Parameters<typeof checkedResponses>[0]),
      ],
      security: access === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }],
      'x-flowline-access': access,
      'x-flowline-roles': rolesFor(access),
    }) as never;
  };
}
