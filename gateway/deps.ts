import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Role } from '#contracts';
import type { AlarmRules } from '../config/alarm-rules.ts';
import type { AssetIndex } from '../config/asset-registry.ts';
import type { TagRules } from '../config/tag-rules.ts';
import type { Db } from '../runtime/resources/db.ts';
import type { ApiKeyEntry } from './auth/api-keys.ts';
import type { SessionStore } from './auth/session-store.ts';
import type { TokenSettings } from './auth/token-verifier.ts';
import type { UserEntry } from './auth/users.ts';
import type { EventPublisher } from './bus/event-publisher.ts';
import type { ConfigSource } from './config/config-source.ts';
import type { FunctionInvoker } from './invoke/function-invoker.ts';
import type { LiveOptions } from './live/live-routes.ts';
import type { RateLimits } from './rate-limit/rate-limiter.ts';
import type { EdgeSite } from './status/edge-status.ts';
import type { LagSource } from './status/lag-source.ts';
import type { MetricsSource } from './status/metrics-source.ts';

/**
 * Everything the gateway talks to, passed in: the process that hosts it (npm start's
 * memory host, or gateway/main.ts with Kafka or Dapr) opens and owns these.
 */
export interface GatewayDeps {
  /** Reads of function-owned state, and the rate limits. */
  redis: Redis;
  /** The pub/sub connection for live rooms; default `redis.duplicate()`. */
  subscriber?: Redis;
  /** History, alarm history, calculations, configuration kept in PostgreSQL; without it those routes answer 503. */
  db?: Db | undefined;
  publisher: EventPublisher;
  invoker: FunctionInvoker;
  lag: LagSource;
  metricsSource?: MetricsSource | undefined;
  edgeSites?: readonly EdgeSite[];
  assets: AssetIndex;
  tagRules?: TagRules | undefined;
  alarmRules?: AlarmRules | undefined;
  /** Where the configuration documents are read (and, from PostgreSQL, replaced); default: config/load.ts's defaults (files). */
  config?: ConfigSource | undefined;
  auth: {
    tokens: TokenSettings;
    /** Sign-in with a password, when the gateway issues its own tokens (needs tokens.hs256Secret). */
    users?: readonly UserEntry[];
    apiKeys?: readonly ApiKeyEntry[];
    /** How long a sign-in lasts before the password is asked again (refreshing does not extend it); default 12 h. */
    sessionTtlSeconds?: number;
    /** How long one access token lasts; the console refreshes it before then; default 15 min. */
    accessTokenTtlSeconds?: number;
    /** Where sessions live; default Redis (`redis`). The embedded gateway keeps them in memory. */
    sessions?: SessionStore;
    /** How long a replica trusts its last look at a session: the most a revoked session's access token still works elsewhere; default 5 s. */
    sessionCheckCacheMs?: number;
  };
  options?: Partial<GatewayOptions>;
  /** Where /metrics series go; the host's registry when it serves /metrics itself. */
  registry?: Registry;
  log?: Logger;
  clock?: () => number;
  /** Extra /readyz checks (the host's own dependencies). */
  readiness?: Record<string, () => Promise<unknown>>;
}

export interface GatewayOptions {
  /** Origins allowed to call the API from a browser (CORS); empty: same origin only. */
  corsOrigins: string[];
  rateLimits: RateLimits;
  bodyLimitBytes: number;
  /** For telemetry batches, publishes and invocations. */
  bulkBodyLimitBytes: number;
  /** Topics open to POST /v1/events/{topic}, and the roles that may publish to each. */
  publishTopics: Record<string, readonly Role[]>;
  live: LiveOptions;
  /** How old a value may be before it is shown stale, for tags without a rule. */
  defaultStaleMs: number;
  statusIntervalMs: number;
  /** Serve /healthz, /readyz and /metrics (false when the host process serves them). */
  serveOps: boolean;
}

export const defaultOptions: GatewayOptions = {
  corsOrigins: [],
  rateLimits: { read: 600, write: 60, ingest: 1200, signIn: 10, windowMs: 60_000 },
  bodyLimitBytes: 64 * 1024,
  bulkBodyLimitBytes: 1024 * 1024,
  publishTopics: {
    'scada.telemetry.raw': ['admin', 'scada'],
    'well-testing.test-completed': ['admin', 'supervisor', 'operator', 'scada'],
  },
  live: {
    keepAliveMs: 15_000,
    legacyKeepAliveMs: 60_000,
    maxClients: 2_000,
    maxRooms: 64,
    maxQueued: 2_000,
    highWaterMarkBytes: 256 * 1024,
    maxBlockedMs: 60_000,
    replaySize: 500,
    roomIdleMs: 120_000,
  },
  defaultStaleMs: 30_000,
  statusIntervalMs: 5_000,
  serveOps: true,
};

export function withDefaults(options: Partial<GatewayOptions> | undefined): GatewayOptions {
  return {
    ...defaultOptions,
    ...options,
    rateLimits: { ...defaultOptions.rateLimits, ...options?.rateLimits },
    live: { ...defaultOptions.live, ...options?.live },
  };
}
