import type { FunctionManifest } from '../../manifest.ts';
import type { Outcome } from '../../outcome.ts';
import { deadLetterTopicOf } from '../../topics.ts';

/** One entry of GET /dapr/subscribe (programmatic subscription, v1 shape). */
export interface DaprSubscription {
  pubsubname: string;
  topic: string;
  route: string;
  deadLetterTopic: string;
  metadata?: Record<string, string>;
  bulkSubscribe?: { enabled: boolean; maxMessagesCount: number; maxAwaitDurationMs: number };
}

export const routeOf = (topic: string): string => `/dapr/events/${topic}`;

/**
 * The subscriptions a function's manifest implies. With `bulk`, one request carries up to
 * `batch.maxSize` events, as a chunk on the kafka host.
 */
export function subscriptionsOf(manifest: FunctionManifest, pubsubName: string, options: { bulk: boolean }): DaprSubscription[] {
  return manifest.subscribes.map((topic) => ({
    pubsubname: pubsubName,
    topic,
    route: routeOf(topic),
    deadLetterTopic: deadLetterTopicOf(topic),
    ...(options.bulk
      ? {
          bulkSubscribe: {
            enabled: true,
            maxMessagesCount: manifest.batch.maxSize,
            maxAwaitDurationMs: Math.max(1, manifest.batch.maxWaitMs),
          },
        }
      : {}),
  }));
}

export type DaprStatus = 'SUCCESS' | 'RETRY' | 'DROP';

/**
 * The one mapping from Flowline's outcome to Dapr's answer. A thrown error is never
 * SUCCESS (the @dapr/dapr server's default would acknowledge it, and lose it).
 * A dead letter Flowline could write itself (with its reason) is SUCCESS; one it
 * could not write is DROP, so the sidecar forwards it to the subscription's
 * deadLetterTopic instead.
 */
export function daprStatusOf(outcome: Outcome, deadLetterWritten: boolean): DaprStatus {
  switch (outcome.kind) {
    case 'success':
      return 'SUCCESS';
    case 'redeliver':
      return 'RETRY';
    case 'dead-letter':
      return deadLetterWritten ? 'SUCCESS' : 'DROP';
  }
}
