import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FunctionDefinition, TopicSchemas } from './define-function.ts';
import type { FunctionManifest } from './manifest.ts';
import { type FunctionMetrics, functionMetrics, type RuntimeMetrics } from './metrics.ts';
import type { Db } from './resources/db.ts';
import type { StateStore } from './resources/state-store.ts';

/** A function with everything a host needs to run it: manifest, handler, open resources. */
export interface BoundFunction {
  readonly manifest: FunctionManifest;
  readonly definition: FunctionDefinition;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly functionMetrics: FunctionMetrics;
  readonly state: StateStore;
  readonly redis: Redis | undefined;
  readonly db: Db | undefined;
  /** Schemas of topics a handler may publish to; data that fails one never leaves the function. */
  readonly publishSchemas: TopicSchemas;
}

export interface BindOptions {
  manifest: FunctionManifest;
  definition: FunctionDefinition;
  log: Logger;
  metrics: RuntimeMetrics;
  state: StateStore;
  redis?: Redis;
  db?: Db;
  publishSchemas?: Record<string, StandardSchemaV1>;
}

export function bindFunction(options: BindOptions): BoundFunction {
  const { manifest, definition } = options;
  const declared = Object.keys(definition.schemas).sort();
  const subscribed = [...manifest.subscribes].sort();
  if (declared.join() !== subscribed.join()) {
    throw new Error(
      `function "${manifest.name}": function.yaml subscribes to [${subscribed.join(', ')}] but handler.ts declares schemas for [${declared.join(', ')}]; make them name the same topics`,
    );
  }
  return {
    manifest,
    definition,
    log: options.log.child({ function: manifest.name }),
    metrics: options.metrics,
    functionMetrics: functionMetrics(options.metrics.registry, manifest.name),
    state: options.state,
    redis: options.redis,
    db: options.db,
    publishSchemas: options.publishSchemas ?? {},
  };
}
