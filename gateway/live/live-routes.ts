import { upgradeWebSocket } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { TenantAssets } from '../assets/tenant-assets.ts';
import type { Principal } from '../auth/principal.ts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { type GuardDeps, guard } from '../http/guard.ts';
import { problem } from '../http/problem.ts';
import type { OutboxLimits } from './client-outbox.ts';
import { legacyFormat, legacyPlan } from './legacy-stream.ts';
import { LiveConnection, type LiveCounters } from './live-connection.ts';
import { liveFormat } from './live-entry.ts';
import type { LiveHub } from './live-hub.ts';
import { ClientMessage, type ControlMessage } from './live-protocol.ts';

export interface LiveOptions extends OutboxLimits {
  /** /v1/live: a keep-alive message and a ping this often; a client that misses a pong is dropped. */
  keepAliveMs: number;
  /** /api/v1/stream: seed 002's clients expect a keep-alive every 60 s. */
  legacyKeepAliveMs: number;
  maxClients: number;
  maxRooms: number;
  replaySize: number;
  roomIdleMs: number;
}

export interface LiveRouteDeps {
  hub: LiveHub;
  assets: TenantAssets;
  options: LiveOptions;
  guard: GuardDeps;
  clock: () => number;
  log: Logger;
  counters: LiveCounters & { connections(protocol: string, delta: number): void };
  /** Whether a sign-in session is still live: a socket of a signed-out or revoked session is closed at its next keep-alive. */
  sessionIsActive?: ((sessionId: string) => Promise<boolean>) | undefined;
}

/** The close code of a socket whose sign-in session ended: reconnecting needs a new sign-in (4401, as HTTP's 401). */
export const sessionEndedCloseCode = 4401;

/** The live sockets, for stats and for closing them at shutdown. */
export interface LiveSockets {
  readonly open: Map<WebSocket, LiveConnection>;
}

/**
 * GET /v1/live (rooms, resume, device filter) and GET /api/v1/stream (seed 002's
 * shape) as WebSocket upgrades: authenticated and authorised like any route before the
 * upgrade, then fed from the hub through each connection's bounded outbox.
 */
export function liveRoutes(deps: LiveRouteDeps): { app: Hono<GatewayEnv>; sockets: LiveSockets } {
  const app = new Hono<GatewayEnv>();
  const open = new Map<WebSocket, LiveConnection>();
  const door = guard('stream.read', 'read', deps.guard);
  const capacity = async (_: unknown, next: () => Promise<void>) => {
    if (open.size >= deps.options.maxClients)
      throw problem(503, `this gateway already serves ${deps.options.maxClients} live connections; try again shortly (or another replica)`);
    await next();
  };
  const connectionDeps = {
    hub: deps.hub,
    assets: deps.assets,
    limits: deps.options,
    counters: deps.counters,
  };

  /**
   * Pings on a timer; a socket that did not answer the previous ping is gone (a dead TCP peer).
   * A socket opened with a session's token is closed once that session has ended: it was
   * authorised at the upgrade, and would otherwise stream for as long as it stays open.
   */
  function keepAlive(raw: WebSocket, principal: Principal, everyMs: number, beat: () => void): () => void {
    const { sessionId } = principal;
    const isActive = deps.sessionIsActive;
    let alive = true;
    raw.on('pong', () => {
      alive = true;
    });
    const timer = setInterval(() => {
      if (!alive) {
        raw.terminate();
        return;
      }
      alive = false;
      raw.ping();
      beat();
      if (sessionId && isActive)
        isActive(sessionId).then(
          (active) => {
            if (!active) raw.close(sessionEndedCloseCode, 'the session has ended: sign in again');
          },
          () => {}, // the store is away: the next beat asks again
        );
    }, everyMs);
    return () => clearInterval(timer);
  }

  app.get(
    '/v1/live',
    door,
    capacity,
    upgradeWebSocket((c) => {
      const principal = c.get('principal') as Principal;
      let connection: LiveConnection | undefined;
      let stop = () => {};
      return {
        onOpen(_event, ws) {
          const raw = ws.raw as unknown as WebSocket;
          connection = new LiveConnection(raw, principal, connectionDeps, liveFormat);
          open.set(raw, connection);
          deps.counters.connections('live', 1);
          const send = (m: ControlMessage, key?: string) => connection?.control(m, key);
          send({
            type: 'welcome',
            serverTime: deps.clock(),
            keepAliveMs: deps.options.keepAliveMs,
            principal: { id: principal.id, role: principal.role, tenantId: principal.tenantId },
          });
          stop = keepAlive(raw, principal, deps.options.keepAliveMs, () =>
            send({ type: 'keep-alive', serverTime: deps.clock() }, 'keep-alive'),
          );
        },
        async onMessage(event) {
          const live = connection;
          if (!live) return;
          const send = (m: ControlMessage) => live.control(m);
          let parsed: ReturnType<typeof ClientMessage.safeParse>;
          try {
            parsed = ClientMessage.safeParse(JSON.parse(String(event.data)));
          } catch {
            send({ type: 'error', error: 'messages are JSON: {"op":"subscribe","room":"well:…"} or {"op":"unsubscribe","room":"…"}' });
            return;
          }
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            send({ type: 'error', error: `invalid message: ${issue?.path.join('.') || 'op'}: ${issue?.message ?? 'unknown'}` });
            return;
          }
          const message = parsed.data;
          if (message.op === 'unsubscribe') {
            live.leave(message.room);
            send({ type: 'unsubscribed', room: message.room });
            return;
          }
          const result = await live.join(message.room, { deviceIds: message.deviceIds && new Set(message.deviceIds) }, message.after);
          if (!result.ok) send({ type: 'error', room: message.room, error: result.error });
          else
            send({
              type: 'subscribed',
              room: message.room,
              epoch: result.epoch,
              seq: result.seq,
              replayed: result.replayed,
              resync: result.resync,
            });
        },
        onClose(_event, ws) {
          stop();
          connection?.close();
          if (open.delete(ws.raw as unknown as WebSocket)) deps.counters.connections('live', -1);
        },
      };
    }),
  );

  app.get('/api/v1/stream', door, capacity, async (c, next) => {
    const principal = c.get('principal');
    const plan = legacyPlan(principal, c.req.query('device_ids'), deps.assets);
    return upgradeWebSocket(() => {
      let connection: LiveConnection | undefined;
      let stop = () => {};
      return {
        async onOpen(_event, ws) {
          const raw = ws.raw as unknown as WebSocket;
          const live = new LiveConnection(
            raw,
            principal,
            { ...connectionDeps, limits: { ...deps.options, maxRooms: Math.max(deps.options.maxRooms, plan.rooms.length) } },
            legacyFormat,
          );
          connection = live;
          open.set(raw, live);
          deps.counters.connections('legacy', 1);
          stop = keepAlive(raw, principal, deps.options.legacyKeepAliveMs, () =>
            live.control({ type: 'keep-alive', timestamp: new Date(deps.clock()).toISOString() }, 'keep-alive'),
          );
          for (const room of plan.rooms) {
            const result = await live.join(room, { deviceIds: plan.deviceIds });
            if (!result.ok) deps.log.warn({ room, error: result.error }, 'legacy stream could not join a room');
          }
        },
        onClose(_event, ws) {
          stop();
          connection?.close();
          if (open.delete(ws.raw as unknown as WebSocket)) deps.counters.connections('legacy', -1);
        },
      };
    })(c, next);
  });

  // Reached only without an Upgrade header: a browser or curl that asked for a page.
  const notASocket = (c: Context<GatewayEnv>) =>
    c.json(
      {
        error: 'this is a WebSocket endpoint: connect with ws:// (or wss://) and the flowline.v1 subprotocol',
        requestId: c.get('requestId'),
      },
      426,
    );
  app.get('/v1/live', notASocket);
  app.get('/api/v1/stream', notASocket);

  return { app, sockets: { open } };
}
