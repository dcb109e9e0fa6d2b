import { Hono } from 'hono';
import type { Registry } from 'prom-client';

/** A dependency check for /readyz: resolves when the dependency answers. */
export type ReadinessCheck = () => Promise<unknown>;

export interface OpsRoutesOptions {
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** Extra facts for /healthz (version, function names, host). */
  about?: Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * /healthz (the process is alive), /readyz (its dependencies answer) and /metrics
 * (Prometheus text): every Flowline process serves these three the same way.
 */
export function opsRoutes(options: OpsRoutesOptions): Hono {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 2_000;
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000), ...options.about }));
  app.get('/readyz', async (c) => {
    const entries = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => [name, await withTimeout(check, timeoutMs)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ready = entries.every(([, result]) => result === 'ok');
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('content-type', options.registry.contentType);
    return c.body(await options.registry.metrics());
  });
  return app;
}

async function withTimeout(check: ReadinessCheck, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
