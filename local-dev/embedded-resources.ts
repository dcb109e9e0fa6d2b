import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BoundFunction } from '../runtime/bound-function.ts';
import type { RuntimeEnv } from '../runtime/config.ts';
import type { LoadedFunction } from '../runtime/load-function.ts';
import type { FunctionManifest } from '../runtime/manifest.ts';
import type { RuntimeMetrics } from '../runtime/metrics.ts';
import { bindTo } from '../runtime/process-bindings.ts';
import { openResources, type Resources } from '../runtime/resources/open.ts';
import { stateDir } from './services/paths.ts';

/** Which process runs on the embedded stack: its embedded PostgreSQL keeps its data under .flowline/<run>/. */
export type EmbeddedRun = 'start' | 'dev' | 'site';

/** The Redis and PostgreSQL the embedded stack uses: the in-process stand-ins unless REDIS_URL / DATABASE_URL name servers. */
export function embeddedResourceUrls(env: RuntimeEnv, run: EmbeddedRun): { redis: string; database: string } {
  // The embedded PostgreSQL keeps its data under .flowline/ so history survives a restart.
  const database =
    (env.DATABASE_URL ?? 'memory://') === 'memory://' ? `embedded://${join(stateDir, run, 'pglite')}` : (env.DATABASE_URL as string);
  return { redis: env.REDIS_URL ?? 'memory://', database };
}

/** Opens what the manifests need, once, for every function of the process. */
export function openEmbeddedResources(manifests: readonly FunctionManifest[], env: RuntimeEnv, run: EmbeddedRun): Promise<Resources> {
  return openResources(manifests, embeddedResourceUrls(env, run), `flowline-${run}`);
}

/**
 * Binds a loaded function to the embedded stack's resources. Every group starts at the
 * earliest offset: the bus holds only what this process published. A function that needs
 * what the process did not open (it was added later) is refused with what to do.
 */
export function embeddedBinder(
  resources: Resources,
  log: Logger,
  metrics: RuntimeMetrics,
): (loaded: LoadedFunction) => Promise<BoundFunction> {
  return async (loaded) => {
    const opened = { redis: resources.redis !== undefined, postgres: resources.db !== undefined };
    const missing = loaded.manifest.needs.filter((need) => !opened[need]);
    if (missing.length > 0) {
      throw new Error(
        `it needs ${missing.join(' and ')}, which this process did not open because no function needed it at start; restart to open it`,
      );
    }
    return bindTo({ ...loaded, manifest: { ...loaded.manifest, startFrom: 'earliest' } }, resources, log, metrics);
  };
}
