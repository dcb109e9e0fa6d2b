/**
 * `npm start`: the embedded default. Every function under functions/ runs in this one
 * process on the memory host, with an in-process Redis and an embedded PostgreSQL
 * (PGlite), fed by a built-in telemetry source of simulated wells. Nothing to install.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pino } from 'pino';
import { AssetRegistry } from '../config/asset-registry.ts';
import { loadConfig } from '../config/load.ts';
import { startEmbeddedEdge } from '../edge-adapter/embedded.ts';
import { createEmbeddedGateway } from '../gateway/embedded.ts';
import { RateLimitSettings, rateLimitsOf } from '../gateway/settings.ts';
import { ConfigError, parseEnv, RuntimeEnv } from '../runtime/config.ts';
import { decodeEvent } from '../runtime/envelope.ts';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { startMemoryHost } from '../runtime/hosts/memory/host.ts';
import { opsRoutes } from '../runtime/hosts/ops-routes.ts';
import { type LoadedFunction, loadFunction } from '../runtime/load-function.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { bindTo } from '../runtime/process-bindings.ts';
import { openResources } from '../runtime/resources/open.ts';
import { openRedis } from '../runtime/resources/redis.ts';
import { startConsoleReport } from './console-report.ts';
import { startDemoScenario } from './demo-scenario.ts';
import { repoRoot, stateDir } from './services/paths.ts';
import { startSimulatedWells } from './simulated-wells.ts';

assertNodeVersion();
let env: RuntimeEnv;
let rates: RateLimitSettings;
try {
  env = parseEnv(RuntimeEnv, { PORT: '8080', ...process.env, FLOWLINE_HOST: 'memory' });
  rates = parseEnv(RateLimitSettings);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const log = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, base: { service: 'flowline' } });
const functionsDir = join(repoRoot, 'functions');
const dirs = (existsSync(functionsDir) ? readdirSync(functionsDir, { withFileTypes: true }) : [])
  .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
  .map((d) => join(functionsDir, d.name));
const loaded: LoadedFunction[] = [];
for (const dir of dirs) loaded.push(await loadFunction(dir));

// The embedded PostgreSQL keeps its data under .flowline/ so history survives a restart.
const redisUrl = env.REDIS_URL ?? 'memory://';
const databaseUrl =
  (env.DATABASE_URL ?? 'memory://') === 'memory://' ? `embedded://${join(stateDir, 'start', 'pglite')}` : (env.DATABASE_URL as string);
const resources = await openResources(
  loaded.map((f) => f.manifest),
  { redis: redisUrl, database: databaseUrl },
  'flowline-start',
);
const metrics = createRuntimeMetrics();
const bus = new MemoryBus({ partitions: 3 });
const functions = await Promise.all(
  loaded.map((f) => bindTo({ ...f, manifest: { ...f.manifest, startFrom: 'earliest' } }, resources, log, metrics)),
);
const host = startMemoryHost(bus, functions);
// Telemetry from the edge adapter reading its Modbus and OPC UA simulators on loopback, as it
// would read a real pad; the built-in simulator only if the adapter cannot start here.
const edge = await startEdge();
const source = startSimulatedWells({ publish: (messages) => bus.publish(messages), intervalMs: 1_000, telemetry: edge === undefined });
const time = () => new Date().toISOString().slice(11, 19);
const demo = edge
  ? startDemoScenario({
      publish: (messages) => bus.publish(messages),
      siteId: edge.edge.config.site,
      log: (line) => console.log(`[${time()}] ${line}`),
    })
  : undefined;

// The gateway and the operators' console, on the same port: the API under /v1, the UI at /.
const { gateway, demoUsers } = await createEmbeddedGateway({
  bus,
  functions,
  send: (publishes) => host.publish(publishes),
  redis: resources.redis ?? (await openRedis(redisUrl)),
  db: resources.db,
  registry: metrics.registry,
  log,
  options: { rateLimits: rateLimitsOf(rates) },
  ...(edge ? { edgeSites: [{ tenantId: 'acme-energy', site: edge.edge.config.site, health: () => edge.edge.health() }] } : {}),
});

const app = new Hono();
app.route(
  '/',
  opsRoutes({
    registry: metrics.registry,
    checks: resources.checks,
    about: { host: 'memory', functions: loaded.map((f) => f.manifest.name) },
  }),
);
app.route('/', gateway.app);
const server = serve({ fetch: app.fetch, port: env.PORT, hostname: '127.0.0.1', websocket: gateway.websocket }, (info) => {
  const url = `http://127.0.0.1:${info.port}`;
  console.log(
    [
      '',
      'Flowline is running on the embedded default (memory host, in-process Redis, embedded PostgreSQL).',
      `  functions:  ${loaded.map((f) => f.manifest.name).join(', ') || '(none yet: add a folder under functions/)'}`,
      `  telemetry:  ${edge ? `edge adapter ← simulators (Modbus 127.0.0.1:${edge.edge.simulators.modbus.port}, ${edge.edge.simulators.opcua.endpoint}, MQTT/Sparkplug B ${edge.edge.simulators.mqtt?.broker.url}); ` : ''}${source.describe()}`,
      `  console:    ${url}/   sign in as ${demoUsers.map((u) => `${u.username}/${u.password}`).join(', ')}`,
      `  API:        ${url}/v1/openapi.json   live: ws://127.0.0.1:${info.port}/v1/live`,
      `  health:     ${url}/healthz   metrics: ${url}/metrics`,
      '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
});

const report = startConsoleReport({ bus, redis: resources.redis, db: resources.db, tenants: await tenantsOf() });

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  demo?.stop();
  await report.stop();
  await edge?.stop();
  await gateway.close();
  source.stop();
  await host.stop();
  server.close();
  await resources.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

async function tenantsOf(): Promise<string[]> {
  try {
    return (await loadConfig('assets', AssetRegistry)).tenants.map((t) => t.id);
  } catch {
    return [];
  }
}

async function startEdge() {
  try {
    const edge = await startEmbeddedEdge({ publish: async (records) => bus.publish(records), log });
    // Commands for the pad, as the adapter consumes them from scada.commands in the field.
    const commands = bus.subscribe(
      'edge-adapter',
      [edge.config.topics.commands],
      async (records) => {
        for (const r of records) {
          const decoded = decodeEvent(r.value, { topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key });
          if (decoded.ok) await edge.handleCommand(decoded.event.data);
        }
        return records.length;
      },
      { maxChunk: 100, fromBeginning: false },
    );
    return {
      edge,
      async stop() {
        await commands.stop();
        await edge.stop();
      },
    };
  } catch (error) {
    console.error(`the edge adapter's simulators could not start here (${(error as Error).message}); using the built-in simulated wells`);
    return undefined;
  }
}
