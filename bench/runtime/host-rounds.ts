import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { TelemetryRaw } from '#contracts';
import { startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { freePort } from '../../local-dev/services/process.ts';
import type { BoundFunction } from '../../runtime/bound-function.ts';
import { defineFunction } from '../../runtime/define-function.ts';
import { createDaprClient, daprApp } from '../../runtime/hosts/dapr/host.ts';
import { startKafkaHost } from '../../runtime/hosts/kafka/host.ts';
import { MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import { startMemoryHost } from '../../runtime/hosts/memory/host.ts';
import { FunctionManifest } from '../../runtime/manifest.ts';
import { createRuntimeMetrics } from '../../runtime/metrics.ts';
import { bindTo } from '../../runtime/process-bindings.ts';

/**
 * One function, the same on every host: it takes TelemetryRaw (envelope and schema checked
 * by the runtime) and does nothing, so what a round measures is the host and the runtime.
 * Resolves with events per second from its first event to its last.
 */
async function boundCounter(name: string, topic: string, total: number): Promise<{ fn: BoundFunction; done: Promise<number> }> {
  let seen = 0;
  let started = 0;
  let finish: (rate: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const definition = defineFunction({ [topic]: TelemetryRaw }, async () => {
    if (started === 0) started = performance.now();
    seen += 1;
    if (seen === total) finish(total / ((performance.now() - started) / 1000));
  });
  const manifest = FunctionManifest.parse({ name, subscribes: [topic], startFrom: 'earliest' });
  const resources = { redis: undefined, db: undefined, checks: {}, close: async () => {} };
  const fn = await bindTo({ dir: '.', manifest, definition }, resources, pino({ level: 'warn' }), createRuntimeMetrics());
  return { fn, done };
}

/** The kafka host: the function's own consumer group reads the topic from the beginning. */
export async function kafkaHostRound(kafka: Kafka, topic: string, total: number, name: string): Promise<number> {
  const { fn, done } = await boundCounter(name, topic, total);
  const host = await startKafkaHost(fn, { kafka, createTopics: false });
  const rate = await done;
  await host.stop();
  return rate;
}

/**
 * The dapr host, the production path on Kubernetes: a real daprd (pubsub.kafka on the same
 * broker, its own consumer group from the oldest offset) delivers in bulk to the function
 * served over HTTP, as `runtime/run.ts` serves it.
 */
export async function daprHostRound(brokers: string, topic: string, total: number, name: string): Promise<number> {
  const { fn, done } = await boundCounter(name, topic, total);
  const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const connection = { host: '127.0.0.1', httpPort, pubsubName: 'pubsub', stateStore: 'statestore' };
  const app = daprApp(fn, createDaprClient(connection, fn.log), connection);
  app.app.get('/healthz', (c) => c.text('ok'));
  const server = serve({ fetch: app.app.fetch, port: appPort, hostname: '127.0.0.1' });
  // Pub/sub and resiliency only: the bench function keeps no state.
  const resourcesPath = join(stateDir, 'tmp', `bench-dapr-${name}`);
  mkdirSync(resourcesPath, { recursive: true });
  for (const file of ['pubsub.yaml', 'resiliency.yaml']) cpSync(join(repoRoot, 'components', file), join(resourcesPath, file));
  const daprd = await startDaprd({
    appId: name,
    appPort,
    httpPort,
    grpcPort,
    resourcesPath,
    env: { KAFKA_BROKERS: brokers },
    logLevel: 'warn',
  });
  try {
    return await done;
  } finally {
    await daprd.stop();
    await app.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * The memory host, `npm start`'s path: the in-process bus holds the same encoded events
 * (appended before the function subscribes, as the topic was filled before the others ran).
 */
export async function memoryHostRound(values: readonly { key: string; value: Buffer }[], topic: string, name: string): Promise<number> {
  const { fn, done } = await boundCounter(name, topic, values.length);
  const bus = new MemoryBus({ partitions: 3, retentionPerPartition: values.length });
  bus.publish(values.map(({ key, value }) => ({ topic, key, value })));
  const host = startMemoryHost(bus, [fn]);
  const rate = await done;
  await host.stop();
  return rate;
}
