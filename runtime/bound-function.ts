import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SetupContext } from './context.ts';
import type { FunctionDefinition, TopicSchemas } from './define-function.ts';
import { makeContext } from './make-context.ts';
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
  /** What the definition's `setup` returned: the handler's third argument. */
  readonly deps: unknown;
  /**
   * Health checks of the dependencies the manifest needs (those /readyz runs). A failing
   * handler is first asked whether one of these is away: then the event is not at fault,
   * and the runtime waits for the dependency instead of spending an attempt.
   */
  readonly dependencies: Readonly<Record<string, () => Promise<unknown>>>;
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
  dependencies?: Record<string, () => Promise<unknown>>;
}

/** Binds a definition to its resources and runs its `setup` once: the result is ready to deliver to. */
export async function bindFunction(options: BindOptions): Promise<BoundFunction> {
  const { manifest, definition } = options;
  const declared = Object.keys(definition.schemas).sort();
  const subscribed = [...manifest.subscribes].sort();
  if (declared.join() !== subscribed.join()) {
    throw new Error(
      `function "${manifest.name}": function.yaml subscribes to [${subscribed.join(', ')}] but handler.ts declares schemas for [${declared.join(', ')}]; make them name the same topics`,
    );
  }
  const bound: BoundFunction = {
    manifest,
    definition,
    log: options.log.child({ function: manifest.name }),
    metrics: options.metrics,
    functionMetrics: functionMetrics(options.metrics.registry, manifest.name),
    state: options.state,
    redis: options.redis,
    db: options.db,
    publishSchemas: options.publishSchemas ?? {},
    deps: undefined,
    dependencies: options.dependencies ?? {},
  };
  const setup = definition.options.setup;
  if (!setup) return bound;
  // Typed without publish: nothing is being handled yet, so there is nothing to publish for.
  const setupContext: SetupContext = makeContext(bound, { kind: 'setup' }, [], new AbortController().signal);
  try {
    return { ...bound, deps: await setup(setupContext) };
  } catch (error) {
    throw new Error(`function "${manifest.name}": setup failed: ${(error as Error).message}`, { cause: error });
  }
}
