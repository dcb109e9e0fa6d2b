import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Role } from '#contracts';
import { AlarmRules } from '../config/alarm-rules.ts';
import { AssetRegistry, indexAssets } from '../config/asset-registry.ts';
import { loadConfig } from '../config/load.ts';
import { TagRules } from '../config/tag-rules.ts';
import type { BoundFunction } from '../runtime/bound-function.ts';
import type { OutgoingEvent } from '../runtime/deliver.ts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import type { Db } from '../runtime/resources/db.ts';
import { createGateway, type Gateway } from './app.ts';
import { memorySessionStore } from './auth/memory-session-store.ts';
import { hashPassword } from './auth/password-hash.ts';
import type { UserEntry } from './auth/users.ts';
import { memoryPublisher } from './bus/memory-publisher.ts';
import { readCommandResultsFromBus } from './commands/bus-command-results.ts';
import { commandResultIntake } from './commands/command-result-intake.ts';
import { type ConfigSource, configSourceOf } from './config/config-source.ts';
import type { GatewayOptions } from './deps.ts';
import { memoryInvoker } from './invoke/memory-invoker.ts';
import type { EdgeSite } from './status/edge-status.ts';
import { memoryLagSource } from './status/memory-lag-source.ts';
import { registryMetricsSource } from './status/metrics-source.ts';

export interface EmbeddedGatewayOptions {
  bus: MemoryBus;
  /**
   * The functions bound in this process (or how to read the ones running now, for a process
   * that reloads them), and how their invocation's publishes reach the bus (MemoryHost.publish).
   */
  functions: readonly BoundFunction[] | (() => readonly BoundFunction[]);
  send: (publishes: OutgoingEvent[]) => Promise<void>;
  redis: Redis;
  db?: Db | undefined;
  /** The process's registry: the functions' counters are read from it, the gateway's series added to it. */
  registry: Registry;
  log: Logger;
  /** People who may sign in; default one demo user per role of the first tenant, password = user name. */
  users?: UserEntry[];
  edgeSites?: EdgeSite[];
  options?: Partial<GatewayOptions>;
  /** How long an access token lasts (default 15 min): the browser tests shorten it to watch the console refresh. */
  accessTokenTtlSeconds?: number;
  /** Where configuration is read (and, from PostgreSQL, changed); default: FLOWLINE_CONFIG_SOURCE and FLOWLINE_CONFIG_DIR. */
  config?: ConfigSource;
  clock?: () => number;
}

export interface EmbeddedGateway {
  gateway: Gateway;
  /** The demo users and their passwords, to print at start. */
  demoUsers: { username: string; password: string; role: Role }[];
}

/**
 * The gateway on the embedded default (npm start, the browser tests): the memory bus,
 * in-process invocation, the memory bus's lag, the shared metrics registry, the
 * configuration documents of FLOWLINE_CONFIG_DIR, the edge's command results read from
 * the bus, and HS256 tokens signed with a secret made at start, their sessions kept in
 * memory (signing in again after a restart is the price).
 */
export async function createEmbeddedGateway(options: EmbeddedGatewayOptions): Promise<EmbeddedGateway> {
  const registry = await loadConfig('assets', AssetRegistry, options.db ? { db: options.db } : {});
  const optional = <T>(load: () => Promise<T>) => load().catch(() => undefined);
  const tagRules = await optional(() => loadConfig('tag-rules', TagRules));
  const alarmRules = await optional(() => loadConfig('alarm-rules', AlarmRules));
  const tenantId = registry.tenants[0]?.id ?? 'default';
  const roles = ['admin', 'supervisor', 'operator', 'viewer'] as const;
  const demoUsers = options.users ? [] : roles.map((role) => ({ username: role, password: role, role }));
  const users =
    options.users ??
    (await Promise.all(
      demoUsers.map(async (u) => ({ username: u.username, passwordHash: await hashPassword(u.password), role: u.role, tenantId })),
    ));
  const assets = indexAssets(registry);
  const functions = options.functions;
  const functionsNow = typeof functions === 'function' ? functions : () => functions;
  const gateway = createGateway({
    redis: options.redis,
    db: options.db,
    publisher: memoryPublisher(options.bus),
    invoker: memoryInvoker(options.functions, options.send),
    lag: memoryLagSource(options.bus, () => functionsNow().map((f) => f.manifest)),
    metricsSource: registryMetricsSource(options.registry),
    edgeSites: options.edgeSites ?? [],
    assets,
    tagRules,
    alarmRules,
    config: options.config ?? configSourceOf(process.env),
    auth: {
      tokens: { hs256Secret: randomBytes(32), roleClaim: 'role', tenantClaim: 'tenant', nameClaim: 'name' },
      users,
      // One process: sessions need not outlive it (its signing secret does not either).
      sessions: memorySessionStore(options.clock),
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    },
    registry: options.registry,
    log: options.log,
    ...(options.clock ? { clock: options.clock } : {}),
    options: { serveOps: false, ...options.options },
  });
  const commandResults = readCommandResultsFromBus(
    options.bus,
    commandResultIntake({ redis: options.redis, assets, edgeSites: options.edgeSites ?? [], log: options.log }),
  );
  return {
    gateway: {
      ...gateway,
      async close() {
        await commandResults.stop();
        await gateway.close();
      },
    },
    demoUsers,
  };
}
