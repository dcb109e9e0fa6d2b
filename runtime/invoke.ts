import { z } from 'zod';
import type { BoundFunction } from './bound-function.ts';
import { deliver, type OutgoingEvent } from './deliver.ts';
import { createEvent } from './envelope.ts';

/** A synchronous call of a function: the data of one event, as if it had arrived on `topic`. */
export const InvokeRequest = z
  .object({
    topic: z.string().min(1).optional().describe('one of the function’s subscribed topics; optional when it has only one'),
    // nonoptional: JSON Schema made from it then lists `data` as required, as the parse already treats it.
    data: z.unknown().nonoptional(),
    key: z.string().min(1).max(256).optional(),
    id: z.string().min(1).max(256).optional().describe('event id, for idempotent retries by the caller'),
  })
  .strict();
export type InvokeRequest = z.infer<typeof InvokeRequest>;

export interface InvokeResult {
  /** `success`; `rejected`: the event can never succeed (invalid data, PermanentError); `failed`: try again. */
  outcome: 'success' | 'rejected' | 'failed';
  reason?: string;
  eventId: string;
  /** What the handler published, already sent and acknowledged. */
  published: { topic: string; key: string | undefined; id: string }[];
}

/**
 * Runs one event through a function now, once, and answers how it went: the
 * "thin gateway in front of functions". Nothing is dead-lettered (the caller hears
 * the reason instead); what the handler publishes is sent through the host's own
 * path before the answer, so a success means its effects are durable.
 */
export async function invokeOnce(
  fn: BoundFunction,
  request: InvokeRequest,
  send: (publishes: OutgoingEvent[]) => Promise<void>,
): Promise<InvokeResult> {
  const topic = request.topic ?? (fn.manifest.subscribes.length === 1 ? fn.manifest.subscribes[0] : undefined);
  if (!topic || !fn.manifest.subscribes.includes(topic)) {
    return {
      outcome: 'rejected',
      reason: `say which topic the data is for: one of ${fn.manifest.subscribes.join(', ')}`,
      eventId: request.id ?? '',
      published: [],
    };
  }
  const event = createEvent({
    source: 'flowline/invoke',
    type: topic,
    data: request.data,
    ...(request.id ? { id: request.id } : {}),
    ...(request.key ? { partitionkey: request.key } : {}),
  });
  const result = await deliver(fn, [{ topic, partition: -1, offset: '', key: request.key, value: event }], {
    onExhausted: 'redeliver',
    signal: new AbortController().signal,
    retry: { ...fn.manifest.retry, maxAttempts: 1 },
  });
  const outcome = result.outcomes[0];
  if (outcome?.kind === 'success') {
    await send(result.publishes);
    return {
      outcome: 'success',
      eventId: event.id,
      published: result.publishes.map((p) => ({ topic: p.topic, key: p.key, id: p.event.id })),
    };
  }
  return {
    outcome: outcome?.kind === 'dead-letter' ? 'rejected' : 'failed',
    reason: outcome && 'reason' in outcome ? outcome.reason : 'no outcome',
    eventId: event.id,
    published: [],
  };
}
