import { describe, inject, it } from 'vitest';
import { until } from '../support/kafka.ts';
import { ownServices } from './own-services.ts';
import { recordAndCheck, runFaultCase, startFaultPipeline } from './pipeline.ts';

/**
 * The dapr host, the production path: persist as a Dapr app beside its own daprd
 * (pubsub.kafka), validate and alarm on the kafka host. The sidecar is killed -9 in the
 * middle of a burst and a new one started: what it had fetched but not yet had
 * acknowledged by the app is redelivered, and absorbed by persist's idempotency.
 */
const services = inject('faults');
const own = ownServices('sidecar', { kafka: 14 });
const { kafka } = own;

describe('dapr host', () => {
  it("persist's daprd SIGKILLed mid-burst and restarted", async () => {
    const pipeline = await startFaultPipeline({
      kafkaBrokers: kafka.brokers,
      databaseUrl: services.databaseUrl,
      redisUrl: own.redis.url,
      dapr: ['persist'],
    });
    try {
      const result = await runFaultCase(pipeline, async (_, producing) => {
        const before = await pipeline.stored();
        const burst = producing.burst(500);
        await burst;
        await until(async () => ((await pipeline.stored()) > before + 20 ? true : undefined), 'the burst reaching persist', 60_000);
        await pipeline.killSidecar('persist');
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        await pipeline.restartSidecar('persist');
      });
      recordAndCheck('kill-daprd', "persist's daprd SIGKILLed during a 1,000-sample burst, a new one after 5 s", result);
    } finally {
      await pipeline.close();
    }
  });
});
