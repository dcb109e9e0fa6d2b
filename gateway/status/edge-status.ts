import { z } from '@hono/zod-openapi';

/** What the status board shows of one edge adapter, from its /healthz (edge-adapter/ops/edge-health.ts). */
export const EdgeSiteStatus = z
  .object({
    site: z.string(),
    status: z.enum(['ok', 'degraded', 'unreachable']),
    error: z.string().optional(),
    version: z.string().optional(),
    devices: z.array(
      z.object({
        id: z.string(),
        protocol: z.string(),
        state: z.string(),
        since: z.string().optional(),
        lastError: z.string().optional(),
        lastSampleAt: z.string().optional(),
      }),
    ),
    sink: z.object({ state: z.string(), lastError: z.string().optional() }).optional(),
    buffer: z.object({ depth: z.number(), capacity: z.number(), dropped: z.number(), oldestSampleAt: z.string().nullable() }).optional(),
  })
  .openapi('EdgeSiteStatus');
export type EdgeSiteStatus = z.infer<typeof EdgeSiteStatus>;

/** The part of an adapter's /healthz read here; anything else it says is ignored. */
const EdgeHealth = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string().optional(),
  site: z.string().optional(),
  devices: z.record(
    z.string(),
    z.object({
      protocol: z.string(),
      state: z.string(),
      since: z.string().optional(),
      lastError: z.string().nullish(),
      lastSampleAt: z.string().nullish(),
    }),
  ),
  sink: z.object({ state: z.string(), lastError: z.string().nullish() }).optional(),
  buffer: z.object({ depth: z.number(), capacity: z.number(), dropped: z.number(), oldestSampleAt: z.string().nullable() }).optional(),
});

/** One edge adapter the gateway watches, and the tenant whose operators may see it. */
export interface EdgeSite {
  tenantId: string;
  site: string;
  /** Its /healthz, read over HTTP… */
  url?: string | undefined;
  /** …or, in-process (npm start's embedded adapter), its health object. */
  health?: (() => unknown) | undefined;
}

export interface EdgeStatusSource {
  read(tenantId: string): Promise<EdgeSiteStatus[]>;
}

export function edgeStatusSource(sites: readonly EdgeSite[], timeoutMs = 3_000): EdgeStatusSource {
  return {
    read: (tenantId) => Promise.all(sites.filter((s) => s.tenantId === tenantId).map((s) => readSite(s, timeoutMs))),
  };
}

async function readSite(site: EdgeSite, timeoutMs: number): Promise<EdgeSiteStatus> {
  let body: unknown;
  try {
    if (site.health) body = site.health();
    else {
      const res = await fetch(new URL('/healthz', site.url), { signal: AbortSignal.timeout(timeoutMs) });
      body = await res.json();
    }
  } catch (error) {
    return {
      site: site.site,
      status: 'unreachable',
      error: `no answer from ${site.url ?? 'the adapter'}: ${(error as Error).message}`,
      devices: [],
    };
  }
  const parsed = EdgeHealth.safeParse(body);
  if (!parsed.success)
    return {
      site: site.site,
      status: 'unreachable',
      error: 'the adapter’s /healthz answer is not one this gateway understands',
      devices: [],
    };
  const h = parsed.data;
  return {
    site: site.site,
    status: h.status,
    ...(h.version ? { version: h.version } : {}),
    devices: Object.entries(h.devices).map(([id, d]) => ({
      id,
      protocol: d.protocol,
      state: d.state,
      ...(d.since ? { since: d.since } : {}),
      ...(d.lastError ? { lastError: d.lastError } : {}),
      ...(d.lastSampleAt ? { lastSampleAt: d.lastSampleAt } : {}),
    })),
    ...(h.sink ? { sink: { state: h.sink.state, ...(h.sink.lastError ? { lastError: h.sink.lastError } : {}) } } : {}),
    ...(h.buffer ? { buffer: h.buffer } : {}),
  };
}
