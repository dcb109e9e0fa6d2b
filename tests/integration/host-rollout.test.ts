import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * Moving a function from the dapr host to the kafka host while both run: the sidecar's
 * Sarama member and the kafkajs member share one consumer group (the function's name)
 * under the `range` protocol both speak, and no event is lost on the way.
 */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let redis: Redis;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
  await kafka.close();
  redis.disconnect();
});

describe('a rollout from the dapr host to the kafka host', () => {
  it('runs old and new members in one group, then the new alone, losing nothing', async () => {
    const id = randomUUID().slice(0, 8);
    const topic = `test.rollout-${id}.in`;
    const name = `rollout-${id}`;
    const run = `test:${id}`;
    await kafka.createTopics([topic, `${topic}.dlq`], 4);
    const dir = fixtureFunction('recorder', { name, subscribes: [topic], needs: ['redis'] });
    const env = { REDIS_URL: redisUrl, KAFKA_BROKERS: kafkaBrokers, FIXTURE_TOPIC: topic, FIXTURE_RUN: run };
    const items = (from: number) =>
      Array.from({ length: 40 }, (_, j) => ({ key: `dev-${(from + j) % 8}`, data: { key: `dev-${(from + j) % 8}`, seq: from + j } }));
    const handled = async () => Object.keys(await redis.hgetall(`${run}:count`)).length;

    // The old deployment: the function behind its sidecar.
    const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const old = await startFunctionProcess({
      dir,
      name: `${name}-dapr`,
      port: appPort,
      env: { ...env, FLOWLINE_HOST: 'dapr', DAPR_HTTP_PORT: String(httpPort) },
    });
    running.push(old);
    const sidecar = await startDaprd({
      appId: name,
      appPort,
      httpPort,
      grpcPort,
      resourcesPath: join(repoRoot, 'components'),
      env: { KAFKA_BROKERS: kafkaBrokers, REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
    });
    running.push(sidecar);
    await old.ready();
    const ids = await kafka.produce(topic, items(0));
    await until(async () => ((await handled()) >= 40 ? true : undefined), 'the old deployment at work', 60_000);

    // The new one joins the same group while the old one still runs.
    const next = await startFunctionProcess({ dir, name: `${name}-kafka`, env: { ...env, FLOWLINE_HOST: 'kafka' } });
    running.push(next);
    await next.ready();
    ids.push(...(await kafka.produce(topic, items(40))));
    await until(async () => ((await handled()) >= 80 ? true : undefined), 'both deployments at work', 60_000);

    // The old one goes away; the new one takes every partition.
    await sidecar.stop();
    await old.stop();
    ids.push(...(await kafka.produce(topic, items(80))));
    const counts = await until(
      async () => {
        const c = await redis.hgetall(`${run}:count`);
        return ids.every((e) => c[e] !== undefined) ? c : undefined;
      },
      'all 120 events after the old deployment left',
      90_000,
    );
    expect(ids.filter((e) => counts[e] === undefined)).toEqual([]);
    expect(next.child.exitCode).toBeNull();
  });
});
