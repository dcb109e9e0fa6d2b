import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyTopics } from '../../cli/topics-command.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';

/** `flowline topics apply` against the real broker, on a declaration of this test's own topics. */
const { kafkaBrokers } = inject('services');
let kafka: TestKafka;
beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
});
afterAll(() => kafka.close());

const retentionOf = async (topic: string) => {
  const { resources } = await kafka.admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms', 'min.insync.replicas'] }],
  });
  return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
};
const partitionsOf = async (topic: string) => (await kafka.admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length;

describe('flowline topics apply', () => {
  it('creates the missing, corrects partitions and retention, reports what Kafka cannot change, and is idempotent', async () => {
    const id = randomUUID().slice(0, 8);
    const fresh = `test.topics-${id}.fresh`;
    const thin = `test.topics-${id}.thin`;
    const wide = `test.topics-${id}.wide`;
    await kafka.createTopics([thin], 1);
    await kafka.createTopics([wide], 4);
    const declared = {
      [fresh]: { partitions: 3, replication: 3, retentionHours: 168 },
      [thin]: { partitions: 2, replication: 3, retentionHours: 24 },
      [wide]: { partitions: 2, replication: 1, retentionHours: 24 },
    };

    const plan = await applyTopics(kafka.admin, declared, { dryRun: true });
    expect(plan.find((c) => c.topic === fresh)?.action).toBe('created');
    expect((await kafka.admin.listTopics()).includes(fresh)).toBe(false); // a dry run changes nothing

    const changes = new Map((await applyTopics(kafka.admin, declared)).map((c) => [c.topic, c]));
    expect(changes.get(fresh)).toMatchObject({ action: 'created' });
    expect(changes.get(`${fresh}.dlq`)).toMatchObject({ action: 'created' });
    expect(changes.get(thin)).toMatchObject({ action: 'corrected', detail: expect.stringContaining('partitions 1 → 2') });
    expect(changes.get(wide)).toMatchObject({ action: 'manual', detail: expect.stringContaining('Kafka cannot remove partitions') });

    expect(await partitionsOf(fresh)).toBe(3);
    expect(await partitionsOf(thin)).toBe(2);
    // One broker here: replication capped at 1, so one in-sync replica.
    expect(await retentionOf(fresh)).toEqual({ 'retention.ms': String(168 * 3_600_000), 'min.insync.replicas': '1' });
    expect(await retentionOf(thin)).toEqual({ 'retention.ms': String(24 * 3_600_000), 'min.insync.replicas': '1' });
    expect((await retentionOf(`${thin}.dlq`))['retention.ms']).toBe(String(720 * 3_600_000));

    const again = await applyTopics(kafka.admin, declared);
    expect(again.filter((c) => c.action !== 'ok').map((c) => c.topic)).toEqual([wide]);
  });
});
