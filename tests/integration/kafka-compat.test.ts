import { randomUUID } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaVersion } from '../../local-dev/services/kafka.ts';

/**
 * The broker version is pinned in local-dev/kafka/pom.xml; this proves the kafkajs
 * features Flowline relies on against that exact broker.
 */
const { kafkaBrokers } = inject('services');
const kafka = new Kafka({ clientId: 'compat', brokers: [kafkaBrokers], logLevel: logLevel.NOTHING });
const topic = `compat.${randomUUID()}`;
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

describe(`kafkajs 2.2.4 against Apache Kafka ${kafkaVersion}`, () => {
  it('talks to the pinned broker version', async () => {
    expect(kafkaVersion).toBe('4.4.0');
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
  });

  it('keeps keyed order through an idempotent producer, a consumer group, committed offsets and lag', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
    await producer.connect();
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `dev-${i % 3}`, value: String(i) }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const groupId = `compat-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    const seen = new Map<string, number[]>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let count = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommitThreshold: 1,
          eachMessage: async ({ message }) => {
            const key = message.key?.toString() ?? '';
            seen.set(key, [...(seen.get(key) ?? []), Number(message.value?.toString())]);
            if (++count === 60) resolve();
          },
        })
        .catch(reject);
    });
    // The last offset is resolved after eachMessage returns; wait for its commit.
    await until(async () => (await committedCount(groupId)) === 60);
    await consumer.disconnect();
    for (const [key, values] of seen) {
      const device = Number(key.split('-')[1]);
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i * 3 + device));
    }
    const committed = await committedCount(groupId);
    expect(committed).toBe(60);
    const ends = await admin.fetchTopicOffsets(topic);
    expect(ends.reduce((sum, p) => sum + Number(p.high), 0) - committed).toBe(0); // lag
  });

  it('shows a committed transaction to read_committed consumers, and never an aborted one', async () => {
    const txTopic = `${topic}.tx`;
    await admin.createTopics({ topics: [{ topic: txTopic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ transactionalId: `compat-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: txTopic, messages: [{ key: 'tx', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic: txTopic, messages: [{ key: 'tx', value: 'committed' }] });
    await committed.commit();
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `compat-${randomUUID()}`, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: txTopic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.includes('committed')) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(values).toEqual(['committed']);
    await admin.deleteTopics({ topics: [txTopic] }).catch(() => {});
  });
});

async function committedCount(groupId: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
