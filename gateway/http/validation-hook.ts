import type { Context } from 'hono';
import type { ZodError } from 'zod';
import type { Problem } from './problem.ts';

const where: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header', form: 'form', cookie: 'cookie' };

/** Each issue's path and message; the first `limit` of them (a request's answer stays small). */
export function issuesOf(error: ZodError, limit = 20): NonNullable<Problem['issues']> {
  return error.issues.slice(0, limit).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    // zod says "expected string, received undefined" for a missing field: say it plainly.
    message: /received undefined$/.test(issue.message)
      ? `required, but missing (${issue.message.replace(/^Invalid input: /, '')})`
      : issue.message,
  }));
}

/**
 * The answer to a request that fails its route's schema: 400, naming every wrong field
 * and where it was (body, query, path), e.g. "invalid body: samples.3.quality: Too big".
 */
export function validationHook(result: { success: boolean; target: string; error?: ZodError }, c: Context) {
  if (result.success || !result.error) return;
  const issues = issuesOf(result.error);
  const summary = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  const body: Problem = {
    error: `invalid ${where[result.target] ?? result.target}: ${summary}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`,
    issues,
    ...(c.get('requestId') ? { requestId: c.get('requestId') as string } : {}),
  };
  return c.json(body, 400);
}
