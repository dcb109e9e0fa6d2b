import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { opsRoutes, type ReadinessCheck } from '../../runtime/hosts/ops-routes.ts';
import type { EdgeHealth } from './edge-health.ts';

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /healthz with the adapter's live state (always 200 while the process runs: a degraded
 * link is not a reason to restart it), /readyz and /metrics as every Flowline process.
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  health: () => EdgeHealth;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
}): Promise<OpsServer> {
  const app = new Hono();
  app.get('/healthz', (c) => c.json(options.health()));
  app.route('/', opsRoutes({ registry: options.registry, checks: options.checks }));
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, () => resolve(s));
    s.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
