/**
 * The gateway as its own process (the chart's gateway Deployment): `node gateway/main.ts`.
 * Configuration comes from the environment (gateway/settings.ts), validated at start;
 * the bus is Kafka or the Dapr sidecar (FLOWLINE_HOST).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { AlarmRules } from '../config/alarm-rules.ts';
import { AssetRegistry, indexAssets } from '../config/asset-registry.ts';
import { loadConfig } from '../config/load.ts';
import { TagRules } from '../config/tag-rules.ts';
import { ConfigError, parseEnv } from '../runtime/config.ts';
import { checkKafkaAccess } from '../runtime/hosts/kafka/access-check.ts';
import { createKafka } from '../runtime/hosts/kafka/client.ts';
import { kafkaConnectionFromEnv } from '../runtime/hosts/kafka/connection-from-env.ts';
import { isKafkaAccessError } from '../runtime/hosts/kafka/kafka-access-error.ts';
import { loadManifest } from '../runtime/load-function.ts';
import type { FunctionManifest } from '../runtime/manifest.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { openDb } from '../runtime/resources/db.ts';
import { openRedis } from '../runtime/resources/redis.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { createGateway } from './app.ts';
import { ApiKeysFile } from './auth/api-keys.ts';
import { UsersFile } from './auth/users.ts';
import { daprPublisher } from './bus/dapr-publisher.ts';
import { kafkaPublisher } from './bus/kafka-publisher.ts';
import { commandResultIntake } from './commands/command-result-intake.ts';
import { readCommandResultsFromKafka } from './commands/kafka-command-results.ts';
import { configSourceOf } from './config/config-source.ts';
import { defaultOptions } from './deps.ts';
import { httpInvoker, invokeHeaders } from './invoke/http-invoker.ts';
import { GatewaySettings, rateLimitsOf, startupProblems } from './settings.ts';
import { kafkaLagSource } from './status/kafka-lag-source.ts';
import { prometheusMetricsSource } from './status/metrics-source.ts';

assertNodeVersion();
let settings: GatewaySettings;
try {
  settings = parseEnv(GatewaySettings);
  const problems = startupProblems(settings);
  if (problems.length > 0) throw new ConfigError(`invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const log = pino({ level: settings.LOG_LEVEL, base: { service: 'flowline-gateway' } });
main(settings).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if (isKafkaAccessError(error)) {
    log.fatal({ reason: error.reason }, `Kafka refused the gateway: ${error.message}`);
    process.exit(2);
  }
  log.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});

async function main(env: GatewaySettings): Promise<void> {
  const redis = await openRedis(env.REDIS_URL, { name: 'flowline-gateway' });
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {}); // reconnects by itself; /readyz reports Redis
  const db = await openDb(env.DATABASE_URL, { applicationName: 'flowline-gateway', poolSize: 10 });
  const assets = indexAssets(await loadConfig('assets', AssetRegistry, { db }));
  const optional = async <T>(what: string, load: () => Promise<T>): Promise<T | undefined> =>
    load().catch((err: unknown) => {
      log.warn({ err }, `${what} not loaded: stale thresholds fall back to the default`);
      return undefined;
    });
  const tagRules = await optional('tag-rules', () => loadConfig('tag-rules', TagRules, { db }));
  const alarmRules = await optional('alarm-rules', () => loadConfig('alarm-rules', AlarmRules, { db }));
  const manifests = await functionManifests(env.FLOWLINE_FUNCTIONS_DIR ?? resolve(import.meta.dirname, '..', 'functions'));
  const names = manifests.map((m) => m.name);
  if (names.length === 0)
    log.warn(
      { dir: env.FLOWLINE_FUNCTIONS_DIR },
      'no function manifests found: invocation and the function status board will be empty (set FLOWLINE_FUNCTIONS_DIR)',
    );

  // Kafka is used on both buses (on dapr for the consumer groups' lag): a refusal stops us at start.
  const connection = kafkaConnectionFromEnv(env, env.KAFKA_CLIENT_ID ?? 'flowline-gateway');
  await checkKafkaAccess(connection, { log });
  const kafka = createKafka(connection, log);
  const sidecar = `http://${env.DAPR_HOST}:${env.DAPR_HTTP_PORT}`;
  let publisher: ReturnType<typeof kafkaPublisher>;
  if (env.FLOWLINE_HOST === 'dapr') {
    const { createDaprClient } = await import('../runtime/hosts/dapr/host.ts');
    const client = createDaprClient(
      {
        host: env.DAPR_HOST,
        httpPort: env.DAPR_HTTP_PORT,
        pubsubName: env.DAPR_PUBSUB_NAME,
        stateStore: env.DAPR_STATE_STORE,
        apiToken: env.DAPR_API_TOKEN,
      },
      log,
    );
    publisher = daprPublisher(client, env.DAPR_PUBSUB_NAME, sidecar);
  } else {
    publisher = kafkaPublisher(kafka);
  }
  const invoker = httpInvoker({
    names,
    timeoutMs: env.GATEWAY_INVOKE_TIMEOUT_MS,
    headers: invokeHeaders(env),
    urlOf: (name) =>
      env.FLOWLINE_HOST === 'dapr'
        ? `${sidecar}/v1.0/invoke/${encodeURIComponent(name)}/method/invoke`
        : env.GATEWAY_FUNCTION_URL.replaceAll('{name}', encodeURIComponent(name)),
  });
  const yaml = <S extends Parameters<typeof loadYamlConfig>[2]>(file: string, schema: S) =>
    loadYamlConfig(readFileSync(file, 'utf8'), file, schema);

  const gateway = createGateway({
    redis,
    subscriber,
    db,
    publisher,
    invoker,
    // The Dapr host still runs on Kafka (pubsub.kafka): consumer groups are read from the broker either way.
    lag: kafkaLagSource(kafka.admin(), manifests),
    metricsSource: env.GATEWAY_PROMETHEUS_URL ? prometheusMetricsSource(env.GATEWAY_PROMETHEUS_URL) : undefined,
    edgeSites: env.GATEWAY_EDGE_ADAPTERS,
    assets,
    tagRules,
    alarmRules,
    config: configSourceOf(process.env),
    auth: {
      tokens: {
        hs256Secret: env.GATEWAY_JWT_SECRET ? new TextEncoder().encode(env.GATEWAY_JWT_SECRET) : undefined,
        jwksUrl: env.GATEWAY_JWKS_URL ? new URL(env.GATEWAY_JWKS_URL) : undefined,
        issuer: env.GATEWAY_JWT_ISSUER,
        audience: env.GATEWAY_JWT_AUDIENCE,
        roleClaim: env.GATEWAY_JWT_ROLE_CLAIM,
        tenantClaim: env.GATEWAY_JWT_TENANT_CLAIM,
        nameClaim: env.GATEWAY_JWT_NAME_CLAIM,
      },
      users: env.GATEWAY_USERS_FILE ? yaml(env.GATEWAY_USERS_FILE, UsersFile).users : [],
      apiKeys: env.GATEWAY_API_KEYS_FILE ? yaml(env.GATEWAY_API_KEYS_FILE, ApiKeysFile).keys : [],
      sessionTtlSeconds: env.GATEWAY_TOKEN_TTL_SECONDS,
      accessTokenTtlSeconds: env.GATEWAY_ACCESS_TOKEN_TTL_SECONDS,
      sessionCheckCacheMs: env.GATEWAY_SESSION_CHECK_CACHE_MS,
    },
    options: {
      corsOrigins: env.GATEWAY_CORS_ORIGINS,
      rateLimits: rateLimitsOf(env),
      bodyLimitBytes: env.GATEWAY_BODY_LIMIT_BYTES,
      bulkBodyLimitBytes: env.GATEWAY_BULK_BODY_LIMIT_BYTES,
      ...(env.GATEWAY_PUBLISH_TOPICS ? { publishTopics: env.GATEWAY_PUBLISH_TOPICS } : {}),
      live: { ...defaultOptions.live, maxClients: env.GATEWAY_MAX_LIVE_CONNECTIONS },
    },
    log,
  });

  const commandResults = readCommandResultsFromKafka(
    kafka,
    commandResultIntake({ redis, assets, edgeSites: env.GATEWAY_EDGE_ADAPTERS, log }),
    { groupId: env.GATEWAY_KAFKA_GROUP, log },
  );

  const server = serve({ fetch: gateway.app.fetch, port: env.PORT, hostname: '0.0.0.0', websocket: gateway.websocket }, (info) => {
    log.info({ port: info.port, host: env.FLOWLINE_HOST, functions: names }, 'gateway listening');
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: closing live connections, then the bus and the stores');
    const deadline = setTimeout(() => process.exit(1), 20_000);
    deadline.unref();
    server.close();
    await commandResults.stop();
    await gateway.close();
    await Promise.allSettled([publisher.close(), redis.quit(), db.close()]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The functions' manifests (function.yaml only; no handler is loaded): names, topics, groups, scaling. */
async function functionManifests(dir: string): Promise<FunctionManifest[]> {
  if (!existsSync(dir)) return [];
  const folders = readdirSync(dir, { withFileTypes: true }).filter(
    (d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(join(dir, d.name, 'function.yaml')),
  );
  return Promise.all(folders.map((d) => loadManifest(join(dir, d.name))));
}
