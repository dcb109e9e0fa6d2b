import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';
import { OwnRedis } from '../support/own-redis.ts';

/**
 * A dependency outage longer than the whole retry budget: the events are not at fault,
 * so none may be dead-lettered; the function holds them, reports not-ready, and handles
 * every one once the dependency is back. Redis here is this test's own (it is killed).
 */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let own: OwnRedis;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  own = new OwnRedis(await freePort());
});
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});
afterAll(async () => {
  await own.kill();
  await kafka.close();
});

describe('a dependency outage longer than the retry budget', () => {
  it.each(['kafka', 'dapr'] as const)(
    'dead-letters nothing on the %s host: it holds the events, /readyz is false, and all are handled once Redis is back',
    async (host) => {
      const id = randomUUID().slice(0, 8);
      const topic = `test.outage-${id}.in`;
      const run = `test:${id}`;
      await kafka.createTopics([topic, `${topic}.dlq`], 2);
      await own.kill();
      await own.start();
      // The whole budget: 3 attempts, well under a second.
      const dir = fixtureFunction('recorder', {
        name: `outage-${id}`,
        subscribes: [topic],
        needs: ['redis'],
        retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      });
      const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
      const proc = await startFunctionProcess({
        dir,
        name: `outage-${id}`,
        port: appPort,
        env: {
          FLOWLINE_HOST: host,
          KAFKA_BROKERS: kafkaBrokers,
          DAPR_HTTP_PORT: String(httpPort),
          REDIS_URL: own.url,
          REDIS_COMMAND_TIMEOUT_MS: '1000',
          FIXTURE_TOPIC: topic,
          FIXTURE_RUN: run,
        },
      });
      running.push(proc);
      if (host === 'dapr') {
        // The sidecar's state store stays on the suite's Redis: only the function's own dependency goes away.
        running.push(
          await startDaprd({
            appId: `outage-${id}`,
            appPort,
            httpPort,
            grpcPort,
            resourcesPath: join(repoRoot, 'components'),
            env: { KAFKA_BROKERS: kafkaBrokers, REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
          }),
        );
      }
      await proc.ready();
      const readyz = async () => (await fetch(`http://127.0.0.1:${proc.port}/readyz`)).status;

      await own.kill();
      const items = Array.from({ length: 30 }, (_, i) => ({ key: `dev-${i % 3}`, data: { key: `dev-${i % 3}`, seq: i } }));
      const ids = await kafka.produce(topic, items);
      await until(async () => (await readyz()) === 503, 'readiness false while Redis is away');
      // Many times the function's budget, and longer than the ~15 s a sidecar's default-like policy would retry.
      await new Promise((resolve) => setTimeout(resolve, host === 'dapr' ? 20_000 : 8_000));
      expect(await readyz()).toBe(503);

      await own.start(); // empty: the recorder's counts start again from nothing
      const redis = new Redis(own.url);
      try {
        const counts = await until(
          async () => {
            const c = await redis.hgetall(`${run}:count`);
            return Object.keys(c).length >= 30 ? c : undefined;
          },
          'all 30 events handled after the outage',
          60_000,
        );
        expect(ids.filter((eventId) => counts[eventId] !== '1')).toEqual([]);
      } finally {
        redis.disconnect();
      }
      expect(await readyz()).toBe(200);
      const dlq = await kafka.admin.fetchTopicOffsets(`${topic}.dlq`);
      expect(dlq.map((p) => p.high)).toEqual(['0', '0']);
    },
  );
});
