import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { UserEntry } from '../gateway/auth/users.ts';
import { createEmbeddedGateway } from '../gateway/embedded.ts';
import { type RateLimitSettings, rateLimitsOf } from '../gateway/settings.ts';
import type { EdgeSite } from '../gateway/status/edge-status.ts';
import type { BoundFunction } from '../runtime/bound-function.ts';
import type { RuntimeEnv } from '../runtime/config.ts';
import type { OutgoingEvent } from '../runtime/deliver.ts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { opsRoutes } from '../runtime/hosts/ops-routes.ts';
import type { RuntimeMetrics } from '../runtime/metrics.ts';
import type { Resources } from '../runtime/resources/open.ts';
import { openRedis } from '../runtime/resources/redis.ts';
import { type EmbeddedRun, embeddedResourceUrls } from './embedded-resources.ts';

export interface EmbeddedConsoleOptions {
  run: EmbeddedRun;
  env: RuntimeEnv;
  rates: RateLimitSettings;
  log: Logger;
  bus: MemoryBus;
  metrics: RuntimeMetrics;
  resources: Resources;
  /** The functions running on the bus now (the gateway invokes them, /healthz names them). */
  functions: () => readonly BoundFunction[];
  send: (publishes: OutgoingEvent[]) => Promise<void>;
  /** Where to listen: loopback on a laptop, every interface on a pad's box. */
  hostname: string;
  edgeSites?: EdgeSite[];
  /** Who may sign in; default the demo users (password = user name). */
  users?: UserEntry[];
}

export interface EmbeddedConsole {
  readonly port: number;
  /** The demo users and their passwords, to print at start (none when `users` was given). */
  readonly demoUsers: { username: string; password: string }[];
  close(): Promise<void>;
}

/**
 * The gateway and the operators' console of a process on the memory host, on one port with
 * the process's /healthz, /readyz and /metrics: the API under /v1, the UI at /. Shared by
 * `npm start`, `npm run dev` and `npm run edge:site`.
 */
export async function serveEmbeddedConsole(options: EmbeddedConsoleOptions): Promise<EmbeddedConsole> {
  const { env, resources, metrics } = options;
  const { gateway, demoUsers } = await createEmbeddedGateway({
    bus: options.bus,
    functions: options.functions,
    send: options.send,
    redis: resources.redis ?? (await openRedis(embeddedResourceUrls(env, options.run).redis)),
    db: resources.db,
    registry: metrics.registry,
    log: options.log,
    options: { rateLimits: rateLimitsOf(options.rates) },
    ...(options.users ? { users: options.users } : {}),
    ...(options.edgeSites ? { edgeSites: options.edgeSites } : {}),
  });
  const app = new Hono();
  // A getter: /healthz spreads it per request, so it names the functions running now (npm run dev changes them).
  const about = {
    host: 'memory',
    get functions() {
      return options.functions().map((f) => f.manifest.name);
    },
  };
  app.route('/', opsRoutes({ registry: metrics.registry, checks: resources.checks, about }));
  app.route('/', gateway.app);
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, port: env.PORT, hostname: options.hostname, websocket: gateway.websocket }, () =>
      resolve(listening),
    );
    listening.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${env.PORT} is taken by another process: set PORT to a free one`) : error),
    );
  });
  return {
    port: (server.address() as AddressInfo).port,
    demoUsers,
    async close() {
      await gateway.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
