import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context, SetupContext, TickContext } from './context.ts';
import type { FlowlineEvent } from './envelope.ts';

/** Topic → schema of the data a function accepts from it. */
export type TopicSchemas = Record<string, StandardSchemaV1>;

/** One event per subscribed topic, `data` typed from that topic's schema (a union over topics). */
export type EventOf<S extends TopicSchemas> = {
  [T in keyof S & string]: FlowlineEvent<T, StandardSchemaV1.InferOutput<S[T]>>;
}[keyof S & string];

export type EachHandler<S extends TopicSchemas, D = undefined> = (event: EventOf<S>, ctx: Context, deps: D) => Promise<void>;
export type BatchHandler<S extends TopicSchemas, D = undefined> = (events: EventOf<S>[], ctx: Context, deps: D) => Promise<void>;

/**
 * What runs besides the handler. `setup` runs once per process before the first event
 * (migrations, loading configuration); what it returns is the handler's third argument.
 * `tick` runs every `everyMs` for work that time, not an event, triggers (a value
 * that went stale, an alarm left unacknowledged); with several replicas only one
 * runs each tick (a Redis lock), so it needs `redis` in the manifest.
 */
export interface FunctionOptions<D> {
  setup?: (ctx: SetupContext) => Promise<D>;
  tick?: {
    everyMs: number;
    run: (ctx: TickContext, deps: D) => Promise<void>;
    /**
     * Run on every replica, each interval, without the Redis lock: only for work that is
     * harmless to repeat side by side (idempotent maintenance) and publishes nothing.
     */
    onEveryReplica?: boolean;
  };
}

// Method syntax on purpose: a definition for specific topics must still be usable where
// any definition is expected (hosts, test beds), which needs bivariant parameters.
interface DefinitionBase<S extends TopicSchemas, D> {
  readonly schemas: S;
  readonly options: FunctionOptions<D>;
}
export interface EachDefinition<S extends TopicSchemas, D = unknown> extends DefinitionBase<S, D> {
  readonly kind: 'each';
  handler(event: EventOf<S>, ctx: Context, deps: D): Promise<void>;
}
export interface BatchDefinition<S extends TopicSchemas, D = unknown> extends DefinitionBase<S, D> {
  readonly kind: 'batch';
  handler(events: EventOf<S>[], ctx: Context, deps: D): Promise<void>;
}
// biome-ignore lint/suspicious/noExplicitAny: the erased form hosts hold; `D` is only known to the function itself
export type FunctionDefinition<S extends TopicSchemas = TopicSchemas, D = any> = EachDefinition<S, D> | BatchDefinition<S, D>;

const definitionMarker = Symbol.for('flowline.function-definition');

/** The long form: a handler with what runs besides it. `setup` comes first so that its result types `deps`. */
export interface EachSpec<S extends TopicSchemas, D> extends FunctionOptions<D> {
  handler: EachHandler<S, D>;
}
export interface BatchSpec<S extends TopicSchemas, D> extends FunctionOptions<D> {
  handler: BatchHandler<S, D>;
}

/**
 * A function that handles one event at a time. `schemas` names, for every topic in
 * the function's manifest, the schema its data must pass before the handler runs;
 * data that fails is dead-lettered with the schema's message. Events with the same
 * key arrive in order; return to acknowledge, throw to retry (PermanentError: never).
 *
 * ```ts
 * export default defineFunction({ 'scada.telemetry.raw': TelemetryRaw }, async (event, ctx) => {
 *   ctx.publish('scada.telemetry.validated', check(event.data), { key: event.key });
 * });
 *
 * export default defineFunction({ 'scada.telemetry.raw': TelemetryRaw }, {
 *   setup: async (ctx) => ({ rules: await loadRules(ctx) }),
 *   handler: async (event, ctx, { rules }) => { ... },
 * });
 * ```
 */
export function defineFunction<S extends TopicSchemas>(schemas: S, handler: EachHandler<S, undefined>): FunctionDefinition<S, undefined>;
export function defineFunction<S extends TopicSchemas, D>(schemas: S, spec: EachSpec<S, D>): FunctionDefinition<S, D>;
export function defineFunction<S extends TopicSchemas, D>(schemas: S, spec: EachHandler<S, D> | EachSpec<S, D>): FunctionDefinition<S, D> {
  const { handler, ...options } = typeof spec === 'function' ? { handler: spec } : spec;
  return Object.freeze({ kind: 'each', schemas, handler, options, [definitionMarker]: true }) as FunctionDefinition<S, D>;
}

/**
 * A function that handles a batch of valid events at once, for sinks where one round
 * trip per batch is the point (persist). A throw retries the whole batch; when
 * retries run out, each event is retried alone so one poison event cannot take the
 * others with it. Same two forms as defineFunction.
 */
export function defineBatchFunction<S extends TopicSchemas>(
  schemas: S,
  handler: BatchHandler<S, undefined>,
): FunctionDefinition<S, undefined>;
export function defineBatchFunction<S extends TopicSchemas, D>(schemas: S, spec: BatchSpec<S, D>): FunctionDefinition<S, D>;
export function defineBatchFunction<S extends TopicSchemas, D>(
  schemas: S,
  spec: BatchHandler<S, D> | BatchSpec<S, D>,
): FunctionDefinition<S, D> {
  const { handler, ...options } = typeof spec === 'function' ? { handler: spec } : spec;
  return Object.freeze({ kind: 'batch', schemas, handler, options, [definitionMarker]: true }) as FunctionDefinition<S, D>;
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && definitionMarker in value;
}
