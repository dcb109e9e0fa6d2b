import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Daprd, startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/** What only the dapr host has: bulk delivery, the sidecar's own retries and dead-lettering, its probes. */
const { kafkaBrokers, redisUrl } = inject('services');
let kafka: TestKafka;
let redis: Redis;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
});
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});
afterAll(async () => {
  await kafka.close();
  redis.disconnect();
});

async function daprApp(
  fixture: string,
  name: string,
  topic: string,
  extraEnv: Record<string, string>,
): Promise<{ proc: FunctionProcess; daprd: Daprd }> {
  const dir = fixtureFunction(fixture, {
    name,
    subscribes: [topic],
    publishes: [],
    needs: ['redis'],
    batch: { maxSize: 50, maxWaitMs: 200 },
  });
  const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const proc = await startFunctionProcess({
    dir,
    name,
    port: appPort,
    env: { FLOWLINE_HOST: 'dapr', DAPR_HTTP_PORT: String(httpPort), REDIS_URL: redisUrl, FIXTURE_TOPIC: topic, ...extraEnv },
  });
  running.push(proc);
  const daprd = await startDaprd({
    appId: name,
    appPort,
    httpPort,
    grpcPort,
    resourcesPath: join(repoRoot, 'components'),
    env: { KAFKA_BROKERS: kafkaBrokers, REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
  });
  running.push(daprd);
  await proc.ready();
  return { proc, daprd };
}

describe('dapr host', () => {
  it('receives a batch function’s events in bulk through the sidecar', async () => {
    const id = randomUUID().slice(0, 8);
    const topic = `test.bulk-${id}.in`;
    await kafka.createTopics([topic, `${topic}.dlq`], 1);
    const ids = await kafka.produce(
      topic,
      Array.from({ length: 120 }, (_, seq) => ({ key: `k${seq % 4}`, data: { key: `k${seq % 4}`, seq } })),
    );
    await daprApp('batch-recorder', `bulk-${id}`, topic, { FIXTURE_RUN: `test:${id}` });

    const counts = await until(
      async () => {
        const c = await redis.hgetall(`test:${id}:count`);
        return Object.keys(c).length === 120 ? c : undefined;
      },
      'all 120 events through bulk delivery',
      60_000,
    );
    expect(ids.every((e) => counts[e] === '1')).toBe(true);
    const sizes = (await redis.lrange(`test:${id}:sizes`, 0, -1)).map(Number);
    expect(Math.max(...sizes)).toBeGreaterThan(1); // more than one event per request
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('retries a failing event under its own function.yaml policy, then dead-letters it with the reason, as the kafka host does', async () => {
    const id = randomUUID().slice(0, 8);
    const topic = `test.broken-${id}.in`;
    const name = `broken-${id}`;
    await kafka.createTopics([topic, `${topic}.dlq`], 1);
    const [brokenId] = await kafka.produce(topic, [{ key: 'x', data: { key: 'x', seq: 1, action: 'broken' } }]);
    const dir = fixtureFunction('probe', {
      name,
      subscribes: [topic],
      publishes: [`${topic}.out`],
      needs: ['redis'],
      retry: { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 200 },
    });
    const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const proc = await startFunctionProcess({
      dir,
      name,
      port: appPort,
      env: {
        FLOWLINE_HOST: 'dapr',
        DAPR_HTTP_PORT: String(httpPort),
        REDIS_URL: redisUrl,
        FIXTURE_TOPIC: topic,
        FIXTURE_OUT: `${topic}.out`,
      },
    });
    running.push(proc);
    running.push(
      await startDaprd({
        appId: name,
        appPort,
        httpPort,
        grpcPort,
        resourcesPath: join(repoRoot, 'components'),
        env: { KAFKA_BROKERS: kafkaBrokers, REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
      }),
    );

    const [letter] = await kafka.readAll(`${topic}.dlq`, 1, 90_000);
    expect(JSON.parse(letter?.value ?? '{}').id).toBe(brokenId);
    // Written by the function, not the sidecar: the reason travels with it.
    expect(letter?.headers[deadLetterHeader.reason]).toBe('gave up after 4 attempts: broken x/1');
    expect(letter?.headers[deadLetterHeader.attempts]).toBe('4');
    const attempts = Number(JSON.parse((await redis.hget(`${name}||attempts:${brokenId}`, 'data')) ?? '0'));
    expect(attempts).toBe(4);
  });

  it('serves /healthz, /readyz (sidecar and Redis reachable) and /metrics on the app port', async () => {
    const id = randomUUID().slice(0, 8);
    const topic = `test.ops-${id}.in`;
    await kafka.createTopics([topic, `${topic}.dlq`], 1);
    const { proc } = await daprApp('batch-recorder', `ops-${id}`, topic, { FIXTURE_RUN: `test:${id}` });
    const base = `http://127.0.0.1:${proc.port}`;

    const health = await (await fetch(`${base}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', host: 'dapr', functions: [`ops-${id}`] });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok', sidecar: 'ok' } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('# TYPE flowline_events_total counter');
    expect(metrics).toContain('# TYPE flowline_handler_duration_seconds histogram');
    const subscriptions = await (await fetch(`${base}/dapr/subscribe`)).json();
    expect(subscriptions[0]).toMatchObject({ topic, deadLetterTopic: `${topic}.dlq`, bulkSubscribe: { enabled: true } });
  });
});
