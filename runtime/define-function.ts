import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context } from './context.ts';
import type { FlowlineEvent } from './envelope.ts';

/** Topic → schema of the data a function accepts from it. */
export type TopicSchemas = Record<string, StandardSchemaV1>;

/** One event per subscribed topic, `data` typed from that topic's schema (a union over topics). */
export type EventOf<S extends TopicSchemas> = {
  [T in keyof S & string]: FlowlineEvent<T, StandardSchemaV1.InferOutput<S[T]>>;
}[keyof S & string];

export type EachHandler<S extends TopicSchemas> = (event: EventOf<S>, ctx: Context) => Promise<void>;
export type BatchHandler<S extends TopicSchemas> = (events: EventOf<S>[], ctx: Context) => Promise<void>;

// Method syntax on purpose: a definition for specific topics must still be usable where
// any definition is expected (hosts, test beds), which needs bivariant parameters.
export interface EachDefinition<S extends TopicSchemas> {
  readonly kind: 'each';
  readonly schemas: S;
  handler(event: EventOf<S>, ctx: Context): Promise<void>;
}
export interface BatchDefinition<S extends TopicSchemas> {
  readonly kind: 'batch';
  readonly schemas: S;
  handler(events: EventOf<S>[], ctx: Context): Promise<void>;
}
export type FunctionDefinition<S extends TopicSchemas = TopicSchemas> = EachDefinition<S> | BatchDefinition<S>;

const definitionMarker = Symbol.for('flowline.function-definition');

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
 * ```
 */
export function defineFunction<S extends TopicSchemas>(schemas: S, handler: EachHandler<S>): FunctionDefinition<S> {
  return Object.freeze({ kind: 'each', schemas, handler, [definitionMarker]: true }) as FunctionDefinition<S>;
}

/**
 * A function that handles a batch of valid events at once, for sinks where one round
 * trip per batch is the point (persist). A throw retries the whole batch; when
 * retries run out, each event is retried alone so one poison event cannot take the
 * others with it.
 */
export function defineBatchFunction<S extends TopicSchemas>(schemas: S, handler: BatchHandler<S>): FunctionDefinition<S> {
  return Object.freeze({ kind: 'batch', schemas, handler, [definitionMarker]: true }) as FunctionDefinition<S>;
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  return typeof value === 'object' && value !== null && definitionMarker in value;
}
