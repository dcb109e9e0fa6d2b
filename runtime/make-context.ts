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
  return origin.kind === 'tick' ? new TickCallContext(fn, origin, queued, signal) : new CallContext(fn, origin, queued, signal);
}

/**
 * One object per handler call, its methods on the prototype: this runs once per event, so
 * nothing is built that the call may not use (the child logger, the publish counters).
 */
class CallContext implements Context {
  readonly signal: AbortSignal;
  private readonly fn: BoundFunction;
  private readonly origin: Origin;
  private readonly queued: OutgoingEvent[];
  private childLog: Context['log'] | undefined;
  private sequences: Map<string, number> | undefined;
  private originId: string | undefined;

  constructor(fn: BoundFunction, origin: Origin, queued: OutgoingEvent[], signal: AbortSignal) {
    this.fn = fn;
    this.origin = origin;
    this.queued = queued;
    this.signal = signal;
  }

  get functionName(): string {
    return this.fn.manifest.name;
  }

  get state() {
    return this.fn.state;
  }

  get metrics() {
    return this.fn.functionMetrics;
  }

  get log(): Context['log'] {
    const origin = this.origin;
    this.childLog ??=
      origin.kind === 'event'
        ? this.fn.log.child({
            eventId: origin.event.id,
            traceId: traceIdOf(origin.event.traceparent),
            topic: origin.event.topic,
            key: origin.event.key,
          })
        : this.fn.log.child(origin.kind === 'batch' ? { batchSize: origin.events.length } : { [origin.kind]: true });
    return this.childLog;
  }

  get redis(): Context['redis'] {
    if (!this.fn.redis)
      throw new PermanentError(`function "${this.fn.manifest.name}" uses ctx.redis: add "redis" to needs in its function.yaml`);
    return this.fn.redis;
  }

  get db(): Context['db'] {
    if (!this.fn.db)
      throw new PermanentError(`function "${this.fn.manifest.name}" uses ctx.db: add "postgres" to needs in its function.yaml`);
    return this.fn.db;
  }

  /** An own property, not a method: handlers destructure it (`async (event, { publish }) => …`). */
  readonly publish = (topic: string, data: unknown, options: PublishOptions = {}): void => {
    const { manifest } = this.fn;
    const origin = this.origin;
    if (origin.kind === 'setup') throw new Error(`function "${manifest.name}" published from setup: nothing is being handled yet`);
    if (!manifest.publishes.includes(topic)) {
      throw new PermanentError(`function "${manifest.name}" may not publish to "${topic}": add it to publishes in its function.yaml`);
    }
    const schema = this.fn.publishSchemas[topic];
    if (schema) {
      const result = schema['~standard'].validate(data);
      if (result instanceof Promise) throw new Error(`the schema of "${topic}" is asynchronous; publish needs a synchronous one`);
      if (result.issues) throw new PermanentError(`published data does not match the ${topic} schema: ${formatIssues(result.issues)}`);
      data = result.value;
    }
    // Numbered per cause: republishing one cause's events in the same order gives the same ids.
    let causeId = options.cause;
    if (causeId === undefined) {
      this.originId ??= idOf(origin); // a batch's is a hash of all its ids: only when asked for
      causeId = this.originId;
    }
    this.sequences ??= new Map();
    const sequence = (this.sequences.get(causeId) ?? 0) + 1;
    this.sequences.set(causeId, sequence);
    const id = options.id ?? derivedEventId([manifest.name, causeId, topic, String(sequence)]);
    const event = createEvent({
      source: `flowline/${manifest.name}`,
      type: options.type ?? topic,
      data,
      id,
      ...(options.subject === undefined ? {} : { subject: options.subject }),
      ...(options.key === undefined ? {} : { partitionkey: options.key }),
      traceparent: childTraceparent(origin.kind === 'event' ? origin.event.traceparent : undefined),
    });
    this.queued.push({ topic, key: options.key, event });
  };
}

class TickCallContext extends CallContext implements TickContext {
  private readonly published: (() => Promise<void>)[];

  constructor(fn: BoundFunction, origin: { kind: 'tick' } & Origin, queued: OutgoingEvent[], signal: AbortSignal) {
    super(fn, origin, queued, signal);
    this.published = origin.published;
  }

  onPublished(callback: () => Promise<void>): void {
    this.published.push(callback);
  }
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
