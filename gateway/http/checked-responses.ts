import type { MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import type { GatewayEnv } from './gateway-env.ts';
import { Problem } from './problem.ts';

type Responses = Record<string | number, { content?: Record<string, { schema?: unknown }> }>;

/**
 * Checks each JSON answer against the schema its route declares before it leaves: the
 * OpenAPI document is a promise, and a gateway bug must not break a client that
 * trusted it. A failing answer is logged and replaced by a 500.
 */
export function checkedResponses(responses: Responses): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    await next();
    const res = c.res;
    if (!res.headers.get('content-type')?.includes('application/json')) return;
    const declared = responses[res.status]?.content?.['application/json']?.schema as ZodType | undefined;
    const schema = declared ?? (res.status >= 400 ? Problem : undefined);
    if (!schema) return;
    const body: unknown = await res.clone().json();
    const result = schema.safeParse(body);
    if (result.success) return;
    c.get('log').error(
      { status: res.status, issues: result.error.issues.slice(0, 5) },
      'the gateway produced an answer that breaks its own schema',
    );
    c.res = undefined;
    c.res = c.json(
      {
        error: 'the gateway could not produce a valid answer; the operators of this gateway have the details',
        requestId: c.get('requestId'),
      },
      500,
    );
  };
}
