import { z } from '@hono/zod-openapi';
import type { InvokeRequest } from '../../runtime/invoke.ts';

/** What every Flowline process answers on POST /invoke, and so what the gateway answers too. */
export const InvokeAnswer = z
  .object({
    outcome: z.enum(['success', 'rejected', 'failed']).describe('success; rejected: can never succeed (do not retry); failed: retry later'),
    reason: z.string().optional(),
    eventId: z.string(),
    published: z.array(z.object({ topic: z.string(), key: z.string().optional(), id: z.string() })),
  })
  .openapi('InvokeAnswer');
export type InvokeAnswer = z.infer<typeof InvokeAnswer>;

/** 200 success, 422 rejected, 503 failed: the status the functions' own /invoke gives. */
export type InvokeStatus = 200 | 422 | 503;

export const statusOfOutcome = (outcome: InvokeAnswer['outcome']): InvokeStatus =>
  outcome === 'success' ? 200 : outcome === 'rejected' ? 422 : 503;

/**
 * Runs one event through a function by name, now: on the memory host a direct call,
 * on the kafka host the function's own HTTP endpoint, on the dapr host Dapr service
 * invocation of its app id. Same request, same answer on all three.
 */
export interface FunctionInvoker {
  /** The functions that can be invoked. */
  readonly names: readonly string[];
  invoke(name: string, request: InvokeRequest): Promise<{ status: InvokeStatus; answer: InvokeAnswer }>;
}
