import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../runtime/envelope.ts';

export interface TestKafka {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  createTopics(topics: string[], partitions?: number): Promise<void>;
  /** Produces each `data` as a CloudEvent keyed by `key`; returns the event ids in order. */
  produce(topic: string, items: { key: string; data: unknown; id?: string }[]): Promise<string[]>;
  /** Every message on a topic, read by a throwaway consumer group until `count` are seen. */
  readAll(topic: string, count: number, timeoutMs?: number): Promise<TopicMessage[]>;
  /** The messages of a topic that match, read from the beginning until `count` match. */
  readMatching(topic: string, matches: (m: TopicMessage) => boolean, count: number, timeoutMs?: number): Promise<TopicMessage[]>;
  /** The group's committed offset per partition (-1 when none). */
  committed(groupId: string, topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
}

export async function connectTestKafka(brokers: string): Promise<TestKafka> {
  const kafka = new Kafka({ clientId: 'tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await admin.connect();
  await producer.connect();
  return {
    kafka,
    admin,
    producer,
    async createTopics(topics, partitions = 3) {
      await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
      // A broker that has just started may answer metadata before every partition has its leader.
      await until(
        async () => {
          const { topics: metadata } = await admin.fetchTopicMetadata({ topics }).catch(() => ({ topics: [] }));
          return metadata.length === topics.length && metadata.every((t) => t.partitions.every((p) => p.leader >= 0));
        },
        `leaders for ${topics.join(', ')}`,
      );
    },
    async produce(topic, items) {
      const events = items.map((item) =>
        createEvent({
          source: 'urn:flowline:tests',
          type: topic,
          data: item.data,
          partitionkey: item.key,
          ...(item.id ? { id: item.id } : {}),
        }),
      );
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((event, i) => ({ key: items[i]?.key ?? null, value: encodeEvent(event) })),
      });
      return events.map((e) => e.id);
    },
    async readMatching(topic, matches, count, timeoutMs = 30_000) {
      return readFiltered(topic, matches, count, timeoutMs);
    },
    async readAll(topic, count, timeoutMs = 30_000) {
      return readFiltered(topic, () => true, count, timeoutMs);
    },
    async committed(groupId, topic) {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };

  async function readFiltered(
    topic: string,
    matches: (m: TopicMessage) => boolean,
    count: number,
    timeoutMs: number,
  ): Promise<TopicMessage[]> {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
    const messages: TopicMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`read ${messages.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              const read: TopicMessage = {
                partition,
                offset: Number(message.offset),
                key: message.key?.toString(),
                value: message.value?.toString() ?? '',
                headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
              };
              if (matches(read)) messages.push(read);
              if (messages.length >= count) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
        if (count === 0) resolve();
      });
    } finally {
      await consumer.disconnect();
    }
    return messages;
  }
}

export async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
