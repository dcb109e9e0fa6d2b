import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KafkaCluster, killKafka, restartKafkaNode, startKafkaCluster, stopKafkaCluster } from '../../local-dev/services/kafka.ts';
import { envPort } from '../../local-dev/services/process.ts';
import { freePort } from '../support/function-process.ts';
import { connectTestKafka } from '../support/kafka.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { ownKafka } from './own-services.ts';
import { recordAndCheck, runFaultCase, startFaultPipeline } from './pipeline.ts';

/**
 * The broker vanishes (kill -9, no clean shutdown) while samples flow: a single broker
 * that comes back, and the leader of the busiest partition of a three-node KRaft
 * cluster (replication 3, min.insync.replicas 2) that stays away while the others take
 * over. Nothing the broker acknowledged may be lost. Brokers of this file's own.
 */
const services = inject('faults');
const downMs = Number(process.env.FAULT_BROKER_DOWN_SECONDS ?? '20') * 1000;
let redis: OwnRedis;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await redis.start();
});
afterAll(() => redis.kill());

describe('broker killed mid-stream', () => {
  const single = ownKafka('broker', 4);
  let cluster: KafkaCluster | undefined;
  afterAll(async () => {
    await single.stop();
    if (cluster) await stopKafkaCluster(cluster);
  }, 120_000);

  it(`a single broker: kill -9, back after ${downMs / 1000} s`, async () => {
    await single.start();
    const pipeline = await startFaultPipeline({ kafkaBrokers: single.brokers, databaseUrl: services.databaseUrl, redisUrl: redis.url });
    try {
      const result = await runFaultCase(pipeline, async (_, producing) => {
        // Samples in flight at every stage when the broker vanishes.
        await producing.burst(300);
        single.kill();
        await new Promise((resolve) => setTimeout(resolve, downMs));
        await single.start();
      });
      recordAndCheck('broker-kill', `the only broker SIGKILLed, back after ${downMs / 1000} s`, result);
    } finally {
      await pipeline.close();
    }
  });

  it('a three-node cluster: kill -9 the leader of the busiest partition, the others carry on', async () => {
    cluster = await startKafkaCluster({ instance: 'faults-cluster', basePort: envPort('FLOWLINE_FAULTS_KAFKA_PORT', 19292) + 6 });
    const pipeline = await startFaultPipeline({ kafkaBrokers: cluster.brokers, databaseUrl: services.databaseUrl, redisUrl: redis.url });
    const admin = await connectTestKafka(cluster.brokers);
    let victim = 0;
    let settings = '';
    try {
      const result = await runFaultCase(pipeline, async (_, producing) => {
        await producing.burst(300);
        const offsets = await admin.admin.fetchTopicOffsets('scada.telemetry.raw');
        const busiest = offsets.reduce((a, b) => (Number(b.high) > Number(a.high) ? b : a));
        const { topics } = await admin.admin.fetchTopicMetadata({ topics: ['scada.telemetry.raw'] });
        const partition = topics[0]?.partitions.find((p) => p.partitionId === busiest.partition);
        victim = partition?.leader ?? -1;
        const described = await admin.admin.describeConfigs({
          resources: [{ type: 2, name: 'scada.telemetry.raw', configNames: ['min.insync.replicas'] }],
          includeSynonyms: false,
        });
        settings = `replicas ${partition?.replicas.length}, min.insync.replicas ${described.resources[0]?.configEntries[0]?.configValue}`;
        const node = cluster?.nodes.find((n) => n.nodeId === victim);
        if (!node) throw new Error(`no node is the leader of scada.telemetry.raw/${busiest.partition}`);
        killKafka({ instance: node.instance });
        // The cluster goes on without it: the case ends once the backlog is stored with one node down.
        await new Promise((resolve) => setTimeout(resolve, downMs));
      });
      recordAndCheck(
        'cluster-leader-kill',
        `3-node KRaft (${settings}): leader of the busiest raw partition (node ${victim}) SIGKILLed, not back`,
        result,
      );
      expect(settings).toBe('replicas 3, min.insync.replicas 2');
    } finally {
      await admin.close();
      await pipeline.close();
      if (cluster && victim > 0) await restartKafkaNode(cluster, victim).catch(() => {});
    }
  });
});
