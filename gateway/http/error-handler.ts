import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { AllowedMethods } from './allowed-methods.ts';
import type { GatewayEnv } from './gateway-env.ts';
import { detailsOf, type Problem } from './problem.ts';

/**
 * Every error becomes a Problem: HTTP errors say what was wrong; anything else is
 * logged with its stack and answered 500 with only a request id to quote.
 */
export function errorHandler(log: Logger): ErrorHandler<GatewayEnv> {
  return (error, c) => {
    const requestId = c.get('requestId');
    if (error instanceof HTTPException) {
      const { issues, headers } = detailsOf(error);
      const body: Problem = { error: messageOf(error), ...(issues ? { issues } : {}), ...(requestId ? { requestId } : {}) };
      return c.json(body, error.status as ContentfulStatusCode, headers);
    }
    if (error instanceof ZodError) {
      // A schema check inside a handler (an upstream answer, a stored value) failed: our fault, not the caller's.
      (c.get('log') ?? log).error({ err: error, requestId }, 'data read by the gateway failed its schema');
      return c.json(
        { error: 'the gateway read data it could not understand; the operators of this gateway have the details', requestId },
        500,
      );
    }
    (c.get('log') ?? log).error({ err: error, requestId }, 'unhandled error');
    return c.json({ error: 'internal error: nothing was changed by this request unless its answer said so', requestId }, 500);
  };
}

function messageOf(error: HTTPException): string {
  // hono's own exceptions (malformed JSON, unsupported media type) carry terse messages: make them actionable.
  if (error.status === 400 && /malformed json/i.test(error.message)) return 'the body is not valid JSON: check quotes, commas and brackets';
  if (error.status === 415) return 'send the body as JSON with the header Content-Type: application/json';
  return error.message || 'request refused';
}

/**
 * No route for this method and path. A path that exists with other methods is answered 405
 * with the Allow header (RFC 9110 §15.5.6), and OPTIONS there with 204 and Allow; only a path
 * no route has is 404.
 */
export function notFound(allowed: AllowedMethods): NotFoundHandler<GatewayEnv> {
  return (c: Context<GatewayEnv>) => {
    const { pathname } = new URL(c.req.url);
    const methods = allowed(pathname);
    if (methods) {
      const allow = methods.join(', ');
      if (c.req.method === 'OPTIONS') return c.body(null, 204, { allow });
      return c.json(
        { error: `${c.req.method} is not answered at ${pathname}; use ${allow} (see /v1/openapi.json)`, requestId: c.get('requestId') },
        405,
        { allow },
      );
    }
    return c.json(
      { error: `no route ${c.req.method} ${pathname}: the API is described at /v1/openapi.json`, requestId: c.get('requestId') },
      404,
    );
  };
}
