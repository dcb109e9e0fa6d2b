import type { Logger } from 'pino';
import { topics } from '#contracts';
import { type BoundFunction, bindFunction } from './bound-function.ts';
import type { LoadedFunction } from './load-function.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { missingStateStore, type Resources } from './resources/open.ts';
import { redisStateStore, type StateStore } from './resources/state-store.ts';

/** A loaded function with this process's resources; its state in Redis unless the host brings its own store. */
export function bindTo(
  f: LoadedFunction,
  resources: Resources,
  log: Logger,
  metrics: RuntimeMetrics,
  state?: StateStore,
): Promise<BoundFunction> {
  return bindFunction({
    manifest: f.manifest,
    definition: f.definition,
    log,
    metrics,
    state: state ?? (resources.redis ? redisStateStore(resources.redis, f.manifest.name) : missingStateStore(f.manifest.name)),
    ...(resources.redis ? { redis: resources.redis } : {}),
    ...(resources.db ? { db: resources.db } : {}),
    publishSchemas: topics,
    dependencies: Object.fromEntries(Object.entries(resources.checks).filter(([name]) => f.manifest.needs.some((n) => n === name))),
  });
}
