import type { DaprClient } from '@dapr/dapr';
import { type EventPublisher, envelopeOf } from './event-publisher.ts';

/**
 * Publishes through the Dapr sidecar's pub/sub API as CloudEvents (the sidecar passes
 * them through unchanged), keyed by `partitionKey` so pubsub.kafka keeps order per
 * device. One event after the other: Dapr has no multi-topic batch.
 */
export function daprPublisher(client: DaprClient, pubsubName: string, sidecarUrl: string): EventPublisher {
  return {
    async publish(events) {
      const envelopes = events.map(envelopeOf);
      for (const [i, envelope] of envelopes.entries()) {
        const result = await client.pubsub.publish(pubsubName, events[i]?.topic as string, envelope, {
          contentType: 'application/cloudevents+json',
          metadata: envelope.partitionkey === undefined ? {} : { partitionKey: envelope.partitionkey },
        });
        if (result.error) throw result.error;
      }
      return envelopes;
    },
    async check() {
      const res = await fetch(`${sidecarUrl}/v1.0/healthz/outbound`);
      if (!res.ok) throw new Error(`the Dapr sidecar answered ${res.status}`);
    },
    close: async () => {},
  };
}
