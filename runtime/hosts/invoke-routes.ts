import { Hono } from 'hono';
import type { BoundFunction } from '../bound-function.ts';
import type { OutgoingEvent } from '../deliver.ts';
import { InvokeRequest, invokeOnce } from '../invoke.ts';
import { formatIssues } from '../schema.ts';

/**
 * POST /invoke (a single-function process; the path Dapr service invocation calls as
 * method "invoke") and POST /invoke/{function}. 200 success, 422 rejected (never
 * retry), 503 failed (retry later), 400 a malformed request.
 */
export function invokeRoutes(
  functions: readonly BoundFunction[],
  send: (fn: BoundFunction, publishes: OutgoingEvent[]) => Promise<void>,
): Hono {
  const app = new Hono();
  const handle = async (name: string | undefined, body: unknown) => {
    const fn = name === undefined && functions.length === 1 ? functions[0] : functions.find((f) => f.manifest.name === name);
    if (!fn) return { status: 404 as const, body: { error: `no function "${name ?? ''}" in this process` } };
    const parsed = InvokeRequest.safeParse(body);
    if (!parsed.success) return { status: 400 as const, body: { error: `invalid invoke request: ${formatIssues(parsed.error.issues)}` } };
    const result = await invokeOnce(fn, parsed.data, (publishes) => send(fn, publishes));
    return {
      status: result.outcome === 'success' ? (200 as const) : result.outcome === 'rejected' ? (422 as const) : (503 as const),
      body: result,
    };
  };
  const read = async (request: Request) => request.json().catch(() => undefined);
  app.post('/invoke', async (c) => {
    const answer = await handle(undefined, await read(c.req.raw));
    return c.json(answer.body, answer.status);
  });
  app.post('/invoke/:function', async (c) => {
    const answer = await handle(c.req.param('function'), await read(c.req.raw));
    return c.json(answer.body, answer.status);
  });
  return app;
}
