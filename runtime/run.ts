/**
 * The function runner: `node runtime/run.ts functions/<name> [more…]`, host chosen by
 * FLOWLINE_HOST (memory | kafka | dapr). This is the container entrypoint of every
 * function; the chart passes one folder per Deployment.
 */
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import type { BoundFunction } from './bound-function.ts';
import { ConfigError, dependencyUrls, parseEnv, RuntimeEnv } from './config.ts';
import type { OutgoingEvent } from './deliver.ts';
import { callerAuth, insecureCallersWarning } from './hosts/caller-auth.ts';
import { invokeRoutes } from './hosts/invoke-routes.ts';
import { isKafkaAccessError } from './hosts/kafka/kafka-access-error.ts';
import { opsRoutes } from './hosts/ops-routes.ts';
import { type LoadedFunction, loadFunction } from './load-function.ts';
import { createRuntimeMetrics } from './metrics.ts';
import { assertNodeVersion } from './node-version.ts';
import { bindTo } from './process-bindings.ts';
import { openResources } from './resources/open.ts';
import type { StateStore } from './resources/state-store.ts';
import { tickWithoutRedis } from './ticker.ts';

assertNodeVersion();

let env: RuntimeEnv;
try {
  env = parseEnv(RuntimeEnv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const log = pino({ level: env.LOG_LEVEL, base: { service: 'flowline-function' } });
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node runtime/run.ts functions/<name> [functions/<name> …]');
  process.exit(2);
}
if (env.FLOWLINE_HOST === 'dapr' && dirs.length !== 1) {
  console.error('the dapr host runs one function per process (one app id per sidecar); pass exactly one folder');
  process.exit(2);
}

main(env).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if (isKafkaAccessError(error)) {
    log.fatal({ reason: error.reason }, `Kafka refused this process: ${error.message}`);
    process.exit(2);
  }
  log.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});

async function main(env: RuntimeEnv): Promise<void> {
  const loaded: LoadedFunction[] = [];
  for (const dir of dirs) loaded.push(await loadFunction(dir));
  const names = loaded.map((f) => f.manifest.name);
  const ticking = loaded.find((f) => f.definition.options.tick && !f.definition.options.tick.onEveryReplica);
  if (ticking && env.FLOWLINE_HOST !== 'memory' && (env.REDIS_URL ?? 'memory://') === 'memory://') {
    // The in-process stand-in is one Redis per process: its tick lock would let every replica tick.
    console.error(`REDIS_URL: ${tickWithoutRedis(ticking.manifest.name, ticking.definition.options.tick?.everyMs ?? 0)}`);
    process.exit(2);
  }
  const needing = (what: 'redis' | 'postgres') => loaded.filter((f) => f.manifest.needs.includes(what)).map((f) => f.manifest.name);
  const urls = dependencyUrls(env, { redis: needing('redis'), postgres: needing('postgres') });
  const metrics = createRuntimeMetrics();
  const resources = await openResources(
    loaded.map((f) => f.manifest),
    urls,
    `flowline-${names.join('+')}`,
    {
      redisCommandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    },
  );
  const bind = (f: LoadedFunction, state?: StateStore) => bindTo(f, resources, log, metrics, state);

  const app = new Hono();
  const guard = callerAuth({ invokeToken: env.FLOWLINE_INVOKE_TOKEN, appApiToken: env.APP_API_TOKEN });
  if (guard) app.use('*', guard);
  else if (env.FLOWLINE_HOST !== 'memory') log.warn(insecureCallersWarning);
  const checks: Record<string, () => Promise<unknown>> = { ...resources.checks };
  const stops: (() => Promise<void> | void)[] = [];

  // Declared before any host starts: a consumer may crash for good while we are still starting.
  let server: ServerType | undefined;
  let stopping = false;
  async function shutdown(reason: string, code = 0): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down: finishing in-flight work, committing, disconnecting');
    const deadline = setTimeout(() => {
      log.error('shutdown took longer than 25 s; exiting anyway (uncommitted work will be redelivered)');
      process.exit(code || 1);
    }, 25_000);
    deadline.unref();
    for (const stop of stops) await Promise.resolve(stop()).catch((err) => log.error({ err }, 'error while stopping'));
    const listening = server;
    if (listening) await new Promise<void>((resolve) => listening.close(() => resolve()));
    await resources.close();
    log.info('stopped');
    process.exit(code);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  if (env.FLOWLINE_HOST === 'dapr') {
    const { createDaprClient, daprApp, daprStateStore } = await import('./hosts/dapr/host.ts');
    const connection = {
      host: env.DAPR_HOST,
      httpPort: env.DAPR_HTTP_PORT,
      pubsubName: env.DAPR_PUBSUB_NAME,
      stateStore: env.DAPR_STATE_STORE,
      apiToken: env.DAPR_API_TOKEN,
    };
    const client = createDaprClient(connection, log);
    const dapr = daprApp(await bind(loaded[0] as LoadedFunction, daprStateStore(client, connection.stateStore)), client, connection);
    app.route('/', dapr.app);
    checks.sidecar = async () => {
      const res = await fetch(`http://${connection.host}:${connection.httpPort}/v1.0/healthz/outbound`);
      if (!res.ok) throw new Error(`sidecar answered ${res.status}`);
    };
    stops.push(() => dapr.stop());
  } else if (env.FLOWLINE_HOST === 'kafka') {
    const { createKafka } = await import('./hosts/kafka/client.ts');
    const { kafkaConnectionFromEnv } = await import('./hosts/kafka/connection-from-env.ts');
    const { checkKafkaAccess } = await import('./hosts/kafka/access-check.ts');
    const { startKafkaHost } = await import('./hosts/kafka/host.ts');
    const connection = kafkaConnectionFromEnv(env, env.KAFKA_CLIENT_ID ?? `flowline-${names.join('+')}`);
    // The producer retries for ever: a refused certificate or password must stop us here instead.
    await checkKafkaAccess(connection, { log });
    const kafka = createKafka(connection, log);
    const hosts = new Map<string, { publish(p: OutgoingEvent[]): Promise<void> }>();
    const bound: BoundFunction[] = [];
    for (const f of loaded) {
      const fn = await bind(f);
      bound.push(fn);
      const host = await startKafkaHost(fn, {
        kafka,
        lingerMs: env.KAFKA_PRODUCER_LINGER_MS,
        sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
        createTopics: env.KAFKA_CREATE_TOPICS,
        onFatal: (error) => void shutdown(`consumer of ${f.manifest.name} crashed for good: ${error.message}`, 1),
      });
      hosts.set(fn.manifest.name, host);
      checks[`kafka:${f.manifest.name}`] = async () => {
        if (!host.isReady()) throw new Error('not (yet) a member of its consumer group');
      };
      stops.push(() => host.stop());
    }
    app.route(
      '/',
      invokeRoutes(bound, (fn, publishes) => hosts.get(fn.manifest.name)?.publish(publishes) ?? Promise.resolve()),
    );
  } else {
    const { MemoryBus } = await import('./hosts/memory/bus.ts');
    const { startMemoryHost } = await import('./hosts/memory/host.ts');
    const bound = await Promise.all(loaded.map((f) => bind(f)));
    const host = startMemoryHost(new MemoryBus(), bound);
    app.route(
      '/',
      invokeRoutes(bound, (_fn, publishes) => host.publish(publishes)),
    );
    stops.push(() => host.stop());
  }

  app.route('/', opsRoutes({ registry: metrics.registry, checks, about: { host: env.FLOWLINE_HOST, functions: names } }));
  if (stopping) return; // crashed during start-up: shutdown is under way
  server = serve({ fetch: app.fetch, port: env.PORT, hostname: '0.0.0.0' }, (info) => {
    log.info({ port: info.port, host: env.FLOWLINE_HOST, functions: names }, 'function runner listening');
  });
}
