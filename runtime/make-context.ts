import type { BoundFunction } from './bound-function.ts';
import type { Context, PublishOptions } from './context.ts';
import type { OutgoingEvent } from './deliver.ts';
import { childTraceparent, createEvent, derivedEventId, type FlowlineEvent, traceIdOf } from './envelope.ts';
import { PermanentError } from './errors/permanent-error.ts';
import { formatIssues } from './schema.ts';

/** The context of one handler call. `cause` is the event being handled (each mode). */
export function makeContext(
  fn: BoundFunction,
  cause: FlowlineEvent | undefined,
  batchSize: number,
  queued: OutgoingEvent[],
  signal: AbortSignal,
): Context {
  const manifest = fn.manifest;
  // Built on first use: most handler calls never log, and this runs once per event.
  let log: Context['log'] | undefined;
  let sequence = 0;
  return {
    functionName: manifest.name,
    get log() {
      log ??= cause
        ? fn.log.child({ eventId: cause.id, traceId: traceIdOf(cause.traceparent), topic: cause.topic, key: cause.key })
        : fn.log.child({ batchSize });
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
      sequence += 1;
      const id = options.id ?? (cause ? derivedEventId([manifest.name, cause.id, topic, String(sequence)]) : undefined);
      const event = createEvent({
        source: `flowline/${manifest.name}`,
        type: options.type ?? topic,
        data,
        ...(id === undefined ? {} : { id }),
        ...(options.subject === undefined ? {} : { subject: options.subject }),
        ...(options.key === undefined ? {} : { partitionkey: options.key }),
        traceparent: childTraceparent(cause?.traceparent),
      });
      queued.push({ topic, key: options.key, event });
    },
  };
}
