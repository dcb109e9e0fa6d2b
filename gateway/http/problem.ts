import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const ProblemIssue = z.object({ path: z.string(), message: z.string() });

/** Every 4xx and 5xx body: what went wrong and what to do, never a stack trace. */
export const Problem = z
  .object({
    error: z.string().describe('what was wrong, and what to do about it'),
    issues: z.array(ProblemIssue).optional().describe('each invalid field, for validation errors'),
    requestId: z.string().optional().describe('quote it when reporting a problem: the gateway logs it'),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;

/**
 * Hono's HTTPException with the validation issues attached: thrown from any handler
 * or middleware, it becomes a Problem answer in `onError`.
 */
export function problem(
  status: ContentfulStatusCode,
  message: string,
  options: { issues?: z.infer<typeof ProblemIssue>[]; headers?: Record<string, string> } = {},
): HTTPException {
  return new HTTPException(status, { message, cause: { issues: options.issues, headers: options.headers } });
}

/** The issues and headers `problem` attached, if any. */
export function detailsOf(error: HTTPException): { issues?: z.infer<typeof ProblemIssue>[]; headers?: Record<string, string> } {
  const cause = error.cause as { issues?: z.infer<typeof ProblemIssue>[]; headers?: Record<string, string> } | undefined;
  return { ...(cause?.issues ? { issues: cause.issues } : {}), ...(cause?.headers ? { headers: cause.headers } : {}) };
}

const invalid = 'The request is invalid: the message names each wrong field';

/** The responses any route with a request schema may give, public ones included (the body limit covers all of /v1). */
export const requestProblemResponses = {
  400: { description: invalid, content: { 'application/json': { schema: Problem } } },
  413: { description: 'The body is larger than the gateway accepts', content: { 'application/json': { schema: Problem } } },
} as const;

/** What a route with a JSON body answers to another content type. */
export const bodyProblemResponses = {
  415: { description: 'The body is not sent as application/json', content: { 'application/json': { schema: Problem } } },
} as const;

/**
 * A 400 for what the handler checks and OpenAPI cannot state (one field against another, a
 * body whose schema depends on a path parameter): `why` says what it is.
 */
export const invalidBecause = (why: string) => ({
  400: { description: `${invalid}, or ${why}`, content: { 'application/json': { schema: Problem } } },
});

/** The responses every secured route may give besides its own, for the OpenAPI document. */
export const problemResponses = {
  ...requestProblemResponses,
  401: {
    description: 'No valid credentials: sign in, or send a bearer token or an API key',
    content: { 'application/json': { schema: Problem } },
  },
  403: { description: 'The caller’s role may not do this', content: { 'application/json': { schema: Problem } } },
  429: { description: 'Too many requests: wait the Retry-After seconds', content: { 'application/json': { schema: Problem } } },
} as const;
