import { type Kafka, Partitioners, type Producer } from 'kafkajs';
import { encodeEvent } from '../../runtime/envelope.ts';
import { type EventPublisher, envelopeOf } from './event-publisher.ts';

/**
 * Publishes with an idempotent kafkajs producer, acks from all in-sync replicas,
 * partitioned like the Java client (murmur2 on the key): the same placement as every
 * other Flowline producer, so order holds per device.
 */
export function kafkaPublisher(kafka: Kafka): EventPublisher {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let connected: Promise<void> | undefined;
  const connect = () => {
    connected ??= producer.connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };
  const admin = kafka.admin();
  return {
    async publish(events) {
      await connect();
      const envelopes = events.map(envelopeOf);
      const byTopic = new Map<string, { key: string | null; value: Buffer }[]>();
      envelopes.forEach((envelope, i) => {
        const topic = events[i]?.topic as string;
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: envelope.partitionkey ?? null, value: encodeEvent(envelope) }]);
      });
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      return envelopes;
    },
    async check() {
      await admin.connect();
      await admin.describeCluster();
    },
    async close() {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    },
  };
}
