import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { opsRoutes } from '../runtime/hosts/ops-routes.ts';
import { staleThresholds } from './assets/stale-thresholds.ts';
import { tenantAssets } from './assets/tenant-assets.ts';
import { apiKeyRing } from './auth/api-keys.ts';
import { authenticator } from './auth/authenticator.ts';
import { liveSubprotocol } from './auth/credentials.ts';
import { redisSessionStore } from './auth/redis-session-store.ts';
import { sessionKeeper } from './auth/session-keeper.ts';
import { tokenIssuer } from './auth/token-issuer.ts';
import { tokenVerifier } from './auth/token-verifier.ts';
import { userDirectory } from './auth/users.ts';
import { configDocuments } from './config/config-documents.ts';
import { configSourceOf } from './config/config-source.ts';
import { type GatewayDeps, withDefaults } from './deps.ts';
import { gatewayMetrics } from './gateway-metrics.ts';
import { accessLog } from './http/access-log.ts';
import { allowedMethods } from './http/allowed-methods.ts';
import { errorHandler, notFound } from './http/error-handler.ts';
import type { GatewayEnv } from './http/gateway-env.ts';
import { problem } from './http/problem.ts';
import { securedRouteFactory } from './http/secured-route.ts';
import { corsFor, securityHeaders } from './http/security-headers.ts';
import { validationHook } from './http/validation-hook.ts';
import { createLiveHub } from './live/live-hub.ts';
import { liveRoutes } from './live/live-routes.ts';
import { redisRateLimiter } from './rate-limit/rate-limiter.ts';
import { alarmActionRoutes } from './routes/alarm-action-routes.ts';
import { alarmRoutes } from './routes/alarm-routes.ts';
import { assetRoutes } from './routes/asset-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { commandRoutes } from './routes/command-routes.ts';
import { configRoutes } from './routes/config-routes.ts';
import { historyRoutes } from './routes/history-routes.ts';
import { ingestRoutes } from './routes/ingest-routes.ts';
import { describeOpenApi } from './routes/openapi-document.ts';
import { productionRoutes } from './routes/production-routes.ts';
import { quarantineRoutes } from './routes/quarantine-routes.ts';
import { statusRoutes } from './routes/status-routes.ts';
import { wellStatusRoutes } from './routes/well-status-routes.ts';
import { wellTestRoutes } from './routes/well-test-routes.ts';
import { auditing, type GatewayServices } from './services.ts';
import { edgeStatusSource } from './status/edge-status.ts';
import { functionStatusBoard } from './status/function-status.ts';
import { startStatusBroadcaster } from './status/status-broadcaster.ts';
import { uiRoutes } from './ui-routes.ts';

export type { GatewayDeps, GatewayOptions } from './deps.ts';

export interface Gateway {
  /** Mount it, or serve it: `serve({ fetch: gateway.app.fetch, websocket: gateway.websocket })`. */
  app: OpenAPIHono<GatewayEnv>;
  /** Hand it to @hono/node-server's `serve` so /v1/live and /api/v1/stream can upgrade. */
  websocket: { server: WebSocketServer };
  /** Rooms, connections and each connection's queue: for tests and diagnostics. */
  liveStats(): {
    rooms: number;
    channels: number;
    members: number;
    connections: ReturnType<import('./live/client-outbox.ts').ClientOutbox['stats']>[];
  };
  /** Closes live connections and the subscriber; the host closes what it passed in. */
  close(): Promise<void>;
}

// Telemetry batches, publishes, invocations and whole configuration documents (an asset registry of a large fleet).
const bulkPaths = /^\/v1\/(telemetry|events\/[^/]+|functions\/[^/]+\/invoke|config\/[^/]+)$/;

/**
 * The gateway: the HTTP API under /v1 (OpenAPI at /v1/openapi.json), the live rooms
 * (/v1/live, and seed 002's /api/v1/stream), the operators' UI at /, and — unless the
 * host serves them — /healthz, /readyz and /metrics. Does no I/O until requests come.
 */
export function createGateway(deps: GatewayDeps): Gateway {
  const options = withDefaults(deps.options);
  const clock = deps.clock ?? Date.now;
  const log = deps.log ?? pino({ level: 'info', base: { service: 'flowline-gateway' } });
  const registry = deps.registry ?? new Registry();
  const metrics = gatewayMetrics(registry);
  const assets = tenantAssets(deps.assets);
  const limiter = redisRateLimiter(deps.redis, options.rateLimits, clock, log);
  const { auditLater, publishAudited } = auditing(deps.publisher, clock, log, metrics);
  const secret = deps.auth.tokens.hs256Secret;
  const sessions = secret
    ? sessionKeeper({
        store: deps.auth.sessions ?? redisSessionStore(deps.redis),
        issue: tokenIssuer({
          secret,
          ttlSeconds: deps.auth.accessTokenTtlSeconds ?? 15 * 60,
          issuer: deps.auth.tokens.issuer,
          audience: deps.auth.tokens.audience,
          clock,
        }),
        sessionTtlSeconds: deps.auth.sessionTtlSeconds ?? 12 * 3600,
        activeCacheMs: deps.auth.sessionCheckCacheMs ?? 5_000,
        clock,
      })
    : undefined;
  const authenticate = authenticator(
    tokenVerifier(deps.auth.tokens, clock),
    apiKeyRing(deps.auth.apiKeys ?? []),
    sessions ? (sessionId) => sessions.isActive(sessionId) : undefined,
  );
  const guardDeps = { authenticate, limiter, audit: auditLater };
  const functionStatus = functionStatusBoard(deps.lag, deps.metricsSource, clock, log);
  const edge = edgeStatusSource(deps.edgeSites ?? []);

  const services: GatewayServices = {
    redis: deps.redis,
    db: deps.db,
    publisher: deps.publisher,
    invoker: deps.invoker,
    assets,
    staleAfterMs: staleThresholds(deps.tagRules, deps.alarmRules, options.defaultStaleMs),
    clock,
    log,
    options,
    secured: securedRouteFactory(guardDeps),
    limiter,
    signIn: sessions && deps.auth.users && deps.auth.users.length > 0 ? { users: userDirectory(deps.auth.users), sessions } : undefined,
    functionStatus,
    config: configDocuments(deps.config ?? configSourceOf({}), deps.db),
    edge,
    publishAudited,
    auditLater,
    requireDb() {
      if (!deps.db) throw problem(503, 'this gateway has no history database configured (DATABASE_URL)');
      return deps.db;
    },
  };

  const hub = createLiveHub(
    deps.subscriber ?? deps.redis.duplicate(),
    { replaySize: options.live.replaySize, idleMs: options.live.roomIdleMs },
    clock,
    log,
  );
  const live = liveRoutes({
    hub,
    assets,
    options: options.live,
    guard: guardDeps,
    clock,
    log,
    sessionIsActive: sessions ? (sessionId) => sessions.isActive(sessionId) : undefined,
    counters: {
      dropped: (n) => metrics.liveDropped.inc(n),
      coalesced: () => metrics.liveCoalesced.inc(),
      tooSlow: () => metrics.liveTooSlow.inc(),
      connections: (protocol, delta) => metrics.liveConnections.inc({ protocol }, delta),
    },
  });
  const broadcaster = startStatusBroadcaster({ hub, functions: functionStatus, edge, everyMs: options.statusIntervalMs, clock, log });

  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  app.use('*', requestId({ headerName: 'x-request-id' }));
  app.use('*', accessLog(log, metrics));
  app.use('*', securityHeaders());
  if (options.corsOrigins.length > 0) {
    const corsMiddleware = corsFor(options.corsOrigins);
    app.use('/v1/*', corsMiddleware);
    app.use('/api/*', corsMiddleware);
  }
  const limitOf = (max: number) =>
    bodyLimit({
      maxSize: max,
      onError: (c) =>
        c.json(
          {
            error: `the body is larger than ${max} bytes, the most this route accepts: send less, or split it`,
            requestId: c.get('requestId'),
          },
          413,
        ),
    });
  const bulkLimit = limitOf(options.bulkBodyLimitBytes);
  const smallLimit = limitOf(options.bodyLimitBytes);
  app.use('/v1/*', (c, next) => (bulkPaths.test(new URL(c.req.url).pathname) ? bulkLimit : smallLimit)(c, next));

  app.route('/', uiRoutes());
  app.route('/', live.app);
  for (const routes of [
    authRoutes,
    ingestRoutes,
    assetRoutes,
    historyRoutes,
    wellStatusRoutes,
    productionRoutes,
    wellTestRoutes,
    quarantineRoutes,
    alarmRoutes,
    alarmActionRoutes,
    commandRoutes,
    statusRoutes,
    configRoutes,
    auditRoutes,
  ]) {
    app.route('/', routes(services));
  }
  describeOpenApi(app);
  if (options.serveOps) {
    app.route(
      '/',
      opsRoutes({
        registry,
        checks: {
          redis: () => deps.redis.ping(),
          bus: () => deps.publisher.check(),
          ...(deps.db ? { postgres: () => (deps.db as NonNullable<GatewayDeps['db']>).query('SELECT 1') } : {}),
          ...deps.readiness,
        },
        about: { service: 'gateway', functions: deps.invoker.names },
      }),
    );
  }
  app.onError(errorHandler(log));
  app.notFound(notFound(allowedMethods(() => app.routes)));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    perMessageDeflate: false,
    // Answer with the protocol name, never echo the `bearer.<token>` a browser offered alongside it.
    handleProtocols: (offered) => (offered.has(liveSubprotocol) ? liveSubprotocol : false),
  });

  return {
    app,
    websocket: { server: wss },
    liveStats: () => ({ ...hub.stats(), connections: [...live.sockets.open.values()].map((c) => c.outbox.stats()) }),
    async close() {
      broadcaster.stop();
      for (const [socket, connection] of live.sockets.open) {
        connection.close();
        socket.close(1001, 'the gateway is shutting down; reconnect to resume');
      }
      wss.close();
      await hub.close();
    },
  };
}
