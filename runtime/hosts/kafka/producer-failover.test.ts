import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * kafkajs' send, patched (patches/kafkajs+2.2.4.patch), across a leader failover. Found by the
 * fault suite's 3-node case: one sample of 1,218 acknowledged by the producer was never in the
 * log. A send spanning two brokers retried after one of them failed, and the partition that had
 * been on it moved to the broker that had already answered for the other partition; kafkajs
 * tracked answers per broker, so it never sent that partition again and resolved the send.
 *
 * The cluster and brokers are stand-ins (a real leader move cannot be timed inside one send);
 * the code under test is kafkajs' own sendMessages, unchanged but for the patch.
 */
const require = createRequire(import.meta.url);
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (deps: unknown) => (request: unknown) => Promise<unknown[]>;
const createRetry = require('kafkajs/src/retry/index.js') as (options: unknown) => unknown;
const { KafkaJSConnectionError } = require('kafkajs/src/errors.js') as { KafkaJSConnectionError: new (message: string) => Error };

type TopicData = { topic: string; partitions: { partition: number; messages: { key: string }[] }[] }[];

function failoverCluster() {
  // Partition 0 on broker 1, partition 1 on broker 2; broker 1 dies, and partition 0 moves to broker 2.
  const leaders: Record<string, number> = { '0': 1, '1': 2 };
  const written: Record<number, string[]> = { 0: [], 1: [] };
  const broker = (nodeId: number) => ({
    nodeId,
    async produce({ topicData }: { topicData: TopicData }) {
      if (nodeId === 1) throw new KafkaJSConnectionError('Connection error: read ECONNRESET');
      for (const { partitions } of topicData) for (const p of partitions) written[p.partition]?.push(...p.messages.map((m) => m.key));
      return {
        topics: topicData.map(({ topic, partitions }) => ({
          topicName: topic,
          partitions: partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })),
        })),
      };
    },
  });
  const brokers = { 1: broker(1), 2: broker(2) } as Record<number, ReturnType<typeof broker>>;
  const cluster = {
    targetTopics: new Set<string>(),
    async addMultipleTargetTopics() {},
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {
      leaders['0'] = 2;
    },
    isConnected: () => true,
    removeBroker() {},
    async connect() {},
    findTopicPartitionMetadata: () => [
      { partitionId: 0, leader: leaders['0'] },
      { partitionId: 1, leader: leaders['1'] },
    ],
    findLeaderForPartitions(_topic: string, partitions: string[]) {
      const byLeader: Record<string, string[]> = {};
      for (const p of partitions) {
        const leader = String(leaders[p]);
        byLeader[leader] = [...(byLeader[leader] ?? []), p];
      }
      return byLeader;
    },
    async findBroker({ nodeId }: { nodeId: string }) {
      return brokers[Number(nodeId)];
    },
  };
  return { cluster, written };
}

const eosManager = {
  isTransactional: () => false,
  async acquireBrokerLock() {},
  async releaseBrokerLock() {},
  getSequence: () => 0,
  updateSequence() {},
  getProducerId: () => -1,
  getProducerEpoch: () => 0,
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('kafkajs send across a leader failover (patched)', () => {
  it('sends a partition again on the broker it moved to, even when that broker already answered for another', async () => {
    const { cluster, written } = failoverCluster();
    const send = createSendMessages({
      logger: silent,
      cluster,
      eosManager,
      partitioner: ({ message }: { message: { key: string } }) => Number(message.key.split('-')[1]),
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
    });
    const responses = await send({
      acks: -1,
      timeout: 1_000,
      compression: 0,
      topicMessages: [
        {
          topic: 'scada.telemetry.raw',
          messages: [
            { key: 'p-0', value: 'a' },
            { key: 'p-1', value: 'b' },
          ],
        },
      ],
    });
    expect(written).toEqual({ 0: ['p-0'], 1: ['p-1'] });
    expect((responses as { partition: number | string }[]).map((r) => String(r.partition)).sort()).toEqual(['0', '1']);
  });
});
