import { type Topic, topics } from '#contracts';
import { type CloudEvent, createEvent } from '../../runtime/envelope.ts';

/** One event the gateway sends: its topic, Kafka key and data (validated against the topic's schema first). */
export interface OutgoingEvent {
  topic: Topic;
  key: string;
  data: unknown;
  /** A caller-chosen id makes a retried request publish the same event (consumers deduplicate on it). */
  id?: string | undefined;
}

/**
 * How the gateway puts events on the bus: the memory bus (npm start), a Kafka producer,
 * or the Dapr sidecar. `publish` resolves once the bus has acknowledged every event, in
 * order; it rejects if any was not.
 */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<CloudEvent[]>;
  /** Resolves when the bus answers (for /readyz). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export const gatewaySource = 'flowline/gateway';

/** The CloudEvent of an outgoing event. Throws if the data breaks the topic's contract: a bug, never the caller's fault. */
export function envelopeOf(event: OutgoingEvent): CloudEvent {
  const data = topics[event.topic].parse(event.data);
  return createEvent({
    source: gatewaySource,
    type: event.topic,
    data,
    partitionkey: event.key,
    ...(event.id ? { id: event.id } : {}),
  });
}
