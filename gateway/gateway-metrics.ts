import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's own series on /metrics, next to the runtime's. */
export function gatewayMetrics(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'flowline_gateway_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'flowline_gateway_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern.',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    liveConnections: new Gauge({
      name: 'flowline_gateway_live_connections',
      help: 'Open live WebSocket connections, by protocol (live, legacy).',
      labelNames: ['protocol'],
      registers,
    }),
    liveDropped: new Counter({
      name: 'flowline_gateway_live_dropped_total',
      help: 'Live messages dropped for slow clients (their rooms were told to resync).',
      registers,
    }),
    liveCoalesced: new Counter({
      name: 'flowline_gateway_live_coalesced_total',
      help: 'Live messages replaced in a slow client’s queue by a newer one for the same tag or alarm.',
      registers,
    }),
    liveTooSlow: new Counter({
      name: 'flowline_gateway_live_slow_disconnects_total',
      help: 'Live clients disconnected because they read nothing for too long.',
      registers,
    }),
    auditFailures: new Counter({
      name: 'flowline_gateway_audit_failures_total',
      help: 'Audit events (of refusals) the bus did not take.',
      registers,
    }),
  };
}
export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;
