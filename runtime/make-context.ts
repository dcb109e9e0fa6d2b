import type { BoundFunction } from './bound-function.ts';
import type { Context, PublishOptions, TickContext } from './context.ts';
import type { OutgoingEvent } from './deliver.ts';
import { childTraceparent, createEvent, derivedEventId, type FlowlineEvent, traceIdOf } from './envelope.ts';
import { PermanentError } from './errors/permanent-error.ts';
import { formatIssues } from './schema.ts';

/**
 * What a handler call runs for; publish ids are derived from it, so that the same
 * cause publishes the same ids again (a redelivered event, a redelivered batch, a tick
 * of the same interval) and consumers downstream deduplicate end to end.
 */
export type Origin =
  | { kind: 'event'; event: FlowlineEvent }
  | { kind: 'batch'; events: readonly FlowlineEvent[] }
  /** `slot`: which interval of the tick this is (start time ÷ everyMs); `published`: what runs once the tick's events are sent. */
  | { kind: 'tick'; slot: number; published: (() => Promise<void>)[] }
  | { kind: 'setup' };

/** The context of one handler call (or tick, or setup). */
export function makeContext(
  fn: BoundFunction,
  origin: { kind: 'tick' } & Origin,
  queued: OutgoingEvent[],
  signal: AbortSignal,
): TickContext;
export function makeContext(fn: BoundFunction, origin: Origin, queued: OutgoingEvent[], signal: AbortSignal): Context;
export function makeContext(fn: BoundFunction, origin: Origin, queued: OutgoingEvent[], signal: AbortSignal): Context | TickContext {
  const manifest = fn.manifest;
  const cause = origin.kind === 'event' ? origin.event : undefined;
  const originId = idOf(origin);
  // Built on first use: most handler calls never log, and this runs once per event.
  let log: Context['log'] | undefined;
  const sequences = new Map<string, number>();
  const context: Context = {
    functionName: manifest.name,
    get log() {
      log ??= cause
        ? fn.log.child({ eventId: cause.id, traceId: traceIdOf(cause.traceparent), topic: cause.topic, key: cause.key })
        : fn.log.child(origin.kind === 'batch' ? { batchSize: origin.events.length } : { [origin.kind]: true });
      return log;
    },
    signal,
    state: fn.state,
    metrics: fn.functionMetrics,
    get redis() {
      if (!fn.redis) throw new PermanentError(`function "${manifest.name}" uses ctx.redis: add "redis" to needs in its function.yaml`);
      return fn.redis;
    },
    get db() {
      if (!fn.db) throw new PermanentError(`function "${manifest.name}" uses ctx.db: add "postgres" to needs in its function.yaml`);
      return fn.db;
    },
    publish(topic: string, data: unknown, options: PublishOptions = {}) {
      if (origin.kind === 'setup') throw new Error(`function "${manifest.name}" published from setup: nothing is being handled yet`);
      if (!manifest.publishes.includes(topic)) {
        throw new PermanentError(`function "${manifest.name}" may not publish to "${topic}": add it to publishes in its function.yaml`);
      }
      const schema = fn.publishSchemas[topic];
      if (schema) {
        const result = schema['~standard'].validate(data);
        if (result instanceof Promise) throw new Error(`the schema of "${topic}" is asynchronous; publish needs a synchronous one`);
        if (result.issues) throw new PermanentError(`published data does not match the ${topic} schema: ${formatIssues(result.issues)}`);
        data = result.value;
      }
      // Numbered per cause: republishing one cause's events in the same order gives the same ids.
      const causeId = options.cause ?? originId;
      const sequence = (sequences.get(causeId) ?? 0) + 1;
      sequences.set(causeId, sequence);
      const id = options.id ?? derivedEventId([manifest.name, causeId, topic, String(sequence)]);
      const event = createEvent({
        source: `flowline/${manifest.name}`,
        type: options.type ?? topic,
        data,
        id,
        ...(options.subject === undefined ? {} : { subject: options.subject }),
        ...(options.key === undefined ? {} : { partitionkey: options.key }),
        traceparent: childTraceparent(cause?.traceparent),
      });
      queued.push({ topic, key: options.key, event });
    },
  };
  if (origin.kind !== 'tick') return context;
  const published = origin.published;
  return Object.assign(context, {
    onPublished(callback: () => Promise<void>) {
      published.push(callback);
    },
  });
}

/** The part of a publish id that names its cause. An event's own id keeps the ids single events always had. */
function idOf(origin: Origin): string {
  switch (origin.kind) {
    case 'event':
      return origin.event.id;
    case 'batch':
      return derivedEventId(['batch', ...origin.events.map((e) => e.id)]);
    case 'tick':
      return `tick:${origin.slot}`;
    case 'setup':
      return 'setup';
  }
}
