import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Role } from '#contracts';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { type Db, openDb } from '../../runtime/resources/db.ts';
import { openRedis } from '../../runtime/resources/redis.ts';
import { toOutbound } from '../../runtime/settle.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { loadYamlConfig } from '../../runtime/yaml-config.ts';
import { createGateway, type Gateway } from '../app.ts';
import type { ApiKeyEntry } from '../auth/api-keys.ts';
import { tokenIssuer } from '../auth/token-issuer.ts';
import type { UserEntry } from '../auth/users.ts';
import { memoryPublisher } from '../bus/memory-publisher.ts';
import { readCommandResultsFromBus } from '../commands/bus-command-results.ts';
import { commandResultIntake } from '../commands/command-result-intake.ts';
import type { ConfigSource } from '../config/config-source.ts';
import type { GatewayDeps, GatewayOptions } from '../deps.ts';
import { memoryInvoker } from '../invoke/memory-invoker.ts';
import { memoryLagSource } from '../status/memory-lag-source.ts';
import { registryMetricsSource } from '../status/metrics-source.ts';

const repo = join(import.meta.dirname, '..', '..');

/** Two tenants, so every test can also try to cross between them. */
export const fixtureAssets = `
tenants:
  - { id: acme, name: ACME Energy }
  - { id: globex, name: Globex Oil }
fields:
  - { id: north, name: North, tenantId: acme }
  - { id: south, name: South, tenantId: globex }
wells:
  - { id: n-01, name: N-01, fieldId: north }
  - { id: n-02, name: N-02, fieldId: north }
  - { id: s-01, name: S-01, fieldId: south }
devices:
  - { id: rtu-n01, wellId: n-01 }
  - { id: rtu-n02, wellId: n-02 }
  - { id: sep-north, fieldId: north, description: test separator }
  - { id: rtu-s01, wellId: s-01 }
`;

export const fixtureAlarmRules = `
flood: { maxRaisedPerMinute: 1000 }
rules:
  - tagId: tubing_pressure
    unit: psi
    limits: { HH: 1450, H: 1200 }
    deadband: 25
`;

export interface GatewayFixture {
  gateway: Gateway;
  bed: TestBed;
  redis: Redis;
  db: Db | undefined;
  /** The gateway's clock: frozen, so rate-limit windows are deterministic; `advance` moves it. */
  now(): number;
  advance(ms: number): void;
  token(role: Role, tenantId?: string, subject?: string): Promise<string>;
  /** An in-process request, as the network would send it. */
  request(
    method: string,
    path: string,
    init?: { role?: Role; tenantId?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  /** Serves the gateway (with WebSocket upgrades) on a loopback port. */
  listen(): Promise<{ url: string; port: number; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A gateway over the real validate, alarm, notify and well-status functions on the memory host, the
 * in-process Redis of the embedded default, and (with `db`) an embedded PostgreSQL
 * written by the real persist function (which also creates flowline_config). Command
 * results published on the bus are filed as the embedded gateway files them.
 */
export async function gatewayFixture(
  options: {
    db?: boolean;
    options?: Partial<GatewayOptions>;
    redisUrl?: string;
    users?: UserEntry[];
    apiKeys?: ApiKeyEntry[];
    /** Where sessions live and how long tokens last; default Redis (the fixture's), 15 min access tokens. */
    sessions?: Pick<GatewayDeps['auth'], 'sessions' | 'accessTokenTtlSeconds' | 'sessionTtlSeconds' | 'sessionCheckCacheMs'>;
    /** postgres: configuration documents in the fixture's PostgreSQL (needs `db`); default the fixture's folder. */
    configSource?: ConfigSource['kind'];
  } = {},
): Promise<GatewayFixture> {
  const configDir = mkdtempSync(join(tmpdir(), 'flowline-gateway-'));
  writeFileSync(join(configDir, 'assets.yaml'), fixtureAssets);
  writeFileSync(join(configDir, 'alarm-rules.yaml'), fixtureAlarmRules);
  cpSync(join(repo, 'config', 'examples', 'tag-rules.yaml'), join(configDir, 'tag-rules.yaml'));
  cpSync(join(repo, 'config', 'examples', 'well-status-rules.yaml'), join(configDir, 'well-status-rules.yaml'));
  writeFileSync(join(configDir, 'channels.yaml'), 'channels: []\nroutes: []\n');
  process.env.FLOWLINE_CONFIG_DIR = configDir;
  process.env.FLOWLINE_CONFIG_SOURCE = 'files';

  const redis = await openRedis(options.redisUrl ?? 'memory://');
  if (!options.redisUrl) await redis.flushall();
  const db = options.db ? await openDb('memory://') : undefined;
  const names = ['validate', 'alarm', 'notify', 'well-status', ...(db ? ['persist'] : [])];
  const functions = await Promise.all(names.map((name) => loadFunction(join(repo, 'functions', name))));
  const bed = await createTestBed({ functions, redis, ...(db ? { db } : {}) });
  const secret = randomBytes(32);
  let clock = Date.now();
  const registry = new Registry();
  const assets = indexAssets(loadYamlConfig(fixtureAssets, 'assets.yaml', AssetRegistry));
  const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const gateway = createGateway({
    redis,
    db,
    publisher: memoryPublisher(bed.bus),
    invoker: memoryInvoker(bed.functions, async (publishes) => bed.bus.publish(publishes.map(toOutbound))),
    lag: memoryLagSource(
      bed.bus,
      bed.functions.map((f) => f.manifest),
    ),
    metricsSource: registryMetricsSource(bed.metrics.registry),
    assets,
    config: options.configSource === 'postgres' ? { kind: 'postgres' } : { kind: 'files', dir: configDir },
    auth: {
      tokens: { hs256Secret: secret, roleClaim: 'role', tenantClaim: 'tenant', nameClaim: 'name' },
      users: options.users ?? [],
      apiKeys: options.apiKeys ?? [],
      ...options.sessions,
    },
    registry,
    log,
    clock: () => clock,
    options: options.options,
  });
  // The edge adapters' command results, read from the bus as the embedded gateway reads them.
  const commandResults = readCommandResultsFromBus(bed.bus, commandResultIntake({ redis, assets, edgeSites: [], log }));
  const issue = tokenIssuer({ secret, ttlSeconds: 3600, clock: () => clock });
  const token = async (role: Role, tenantId = 'acme', subject = `${role}-user`) =>
    (await issue({ kind: 'user', id: subject, name: subject, role, tenantId })).token;

  return {
    gateway,
    bed,
    redis,
    db,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
    token,
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.role) headers.authorization = `Bearer ${await token(init.role, init.tenantId)}`;
      if (init.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
      return gateway.app.request(path, {
        method,
        headers,
        ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
      });
    },
    async listen() {
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: gateway.app.fetch, port: 0, hostname: '127.0.0.1', websocket: gateway.websocket }, () => resolve(s));
      });
      const port = (server.address() as AddressInfo).port;
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
    async close() {
      await commandResults.stop();
      await gateway.close();
      await bed.stop();
      await db?.close();
      clock = 0;
    },
  };
}
