import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../gateway-metrics.ts';
import type { GatewayEnv } from './gateway-env.ts';

/**
 * One log line and one metric sample per request. The path is logged without its query:
 * WebSocket clients may carry credentials there.
 */
export function accessLog(log: Logger, metrics: GatewayMetrics): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestLog = log.child({ requestId: c.get('requestId') });
    c.set('log', requestLog);
    await next();
    const route = c.res.status === 404 && !c.req.routePath ? 'unmatched' : c.req.routePath || 'unmatched';
    const seconds = (performance.now() - started) / 1000;
    metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) });
    metrics.requestSeconds.observe({ route, method: c.req.method }, seconds);
    const line = { method: c.req.method, path: new URL(c.req.url).pathname, status: c.res.status, ms: Math.round(seconds * 1000) };
    if (c.res.status >= 500) c.get('log').error(line, 'request failed');
    else if (c.req.method !== 'GET' || c.res.status >= 400) c.get('log').info(line, 'request');
    else c.get('log').debug(line, 'request');
  };
}
