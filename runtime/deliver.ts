import type { BoundFunction } from './bound-function.ts';
import type { Context } from './context.ts';
import { type CloudEvent, decodeEvent, type FlowlineEvent, toFlowlineEvent } from './envelope.ts';
import type { HistogramChild } from './handler-histogram.ts';
import { makeContext } from './make-context.ts';
import { classifyError, type Outcome } from './outcome.ts';
import { backoffDelay, hasAttemptsLeft, type RetryPolicy, sleep } from './retry-policy.ts';
import { type Validation, validate } from './schema.ts';

/** A message as a transport hands it over, before anything is trusted. */
export interface InboundRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Uint8Array | string | object | null;
  /** The message's own headers (traceparent, the producer's); a dead letter keeps them. */
  headers?: Record<string, string>;
}

/** An event a handler published, to be sent before the inbound records are acknowledged. */
export interface OutgoingEvent {
  topic: string;
  key: string | undefined;
  event: CloudEvent;
}

export interface DeliveryResult {
  /** One per inbound record, same order. */
  outcomes: Outcome[];
  /** What successful handler calls published, in the order they published it. */
  publishes: OutgoingEvent[];
}

export interface DeliverOptions {
  /**
   * What to do when retries run out: `dead-letter` (kafka and memory hosts) or hand the
   * event back to the transport (dapr host, whose resiliency policy owns the retries).
   */
  onExhausted: 'dead-letter' | 'redeliver';
  /** Aborted at shutdown: pending retries stop and their events are redelivered later. */
  signal: AbortSignal;
  /** Overrides the manifest's policy (the dapr host makes one attempt per delivery). */
  retry?: RetryPolicy;
}

type Prepared = { index: number; record: InboundRecord; event: FlowlineEvent } | { index: number; record: InboundRecord; failed: Outcome };

/**
 * Runs one delivery (a chunk of records from one partition, or one Dapr request)
 * through decoding, schema validation and the handler, with retries. Hosts differ only
 * in how they fetch, send and acknowledge; every decision about an event is made here.
 */
export async function deliver(fn: BoundFunction, records: readonly InboundRecord[], options: DeliverOptions): Promise<DeliveryResult> {
  const outcomes: Outcome[] = new Array(records.length);
  const publishes: OutgoingEvent[] = [];
  const valid: { index: number; event: FlowlineEvent }[] = [];

  // Decoding and (synchronous) schema checks need no promise per record; only an asynchronous schema does.
  const prepared = records.map((record, index) => prepare(fn, record, index));
  const ready = prepared.some((p) => p instanceof Promise) ? await Promise.all(prepared) : (prepared as Prepared[]);
  for (const item of ready) {
    if ('failed' in item) outcomes[item.index] = item.failed;
    else valid.push(item);
  }

  const run = new Runner(fn, options, publishes);
  if (fn.definition.kind === 'batch' && valid.length > 0) {
    const batchOutcome = await run.batch(valid.map((v) => v.event));
    if (batchOutcome.kind === 'success') for (const v of valid) outcomes[v.index] = batchOutcome;
    else if (batchOutcome.kind === 'redeliver' && options.signal.aborted) for (const v of valid) outcomes[v.index] = batchOutcome;
    // The batch kept failing: find the event(s) at fault by handling each alone.
    else await run.eachByKey(valid, outcomes, (event) => run.batch([event]));
  } else {
    await run.eachByKey(valid, outcomes, (event) => run.each(event));
  }

  countOutcomes(fn, records, outcomes);
  return { outcomes, publishes };
}

/** Counted once per topic and outcome per delivery, not once per event: label lookups cost more than the handler that does little. */
function countOutcomes(fn: BoundFunction, records: readonly InboundRecord[], outcomes: readonly Outcome[]): void {
  const counts = new Map<string, { topic: string; outcome: Outcome['kind']; n: number }>();
  for (const [index, outcome] of outcomes.entries()) {
    const record = records[index];
    const topic = record?.topic ?? '';
    const key = `${topic}\u0000${outcome.kind}`;
    const count = counts.get(key);
    if (count) count.n++;
    else counts.set(key, { topic, outcome: outcome.kind, n: 1 });
    if (outcome.kind === 'dead-letter') {
      fn.metrics.deadLetters.inc({ function: fn.manifest.name, topic, cause: outcome.cause });
      fn.log.warn(
        { topic, partition: record?.partition, offset: record?.offset, reason: outcome.reason, cause: outcome.cause },
        'event dead-lettered',
      );
    }
  }
  for (const { topic, outcome, n } of counts.values()) {
    fn.metrics.events.inc({ function: fn.manifest.name, topic, outcome: outcome.replace('-', '_') }, n);
  }
}

function prepare(fn: BoundFunction, record: InboundRecord, index: number): Prepared | Promise<Prepared> {
  const decoded = decodeEvent(record.value, record);
  if (!decoded.ok) return { index, record, failed: { kind: 'dead-letter', cause: 'undecodable', reason: decoded.reason, attempts: 0 } };
  const schema = fn.definition.schemas[record.topic];
  if (!schema) {
    const reason = `function "${fn.manifest.name}" has no schema for topic "${record.topic}"`;
    return { index, record, failed: { kind: 'dead-letter', cause: 'invalid', reason, attempts: 0 } };
  }
  const event = decoded.event;
  const checked = validate(schema, event.data);
  return checked instanceof Promise ? checked.then((c) => prepared(record, index, event, c)) : prepared(record, index, event, checked);
}

function prepared(record: InboundRecord, index: number, event: CloudEvent, checked: Validation): Prepared {
  if (!checked.ok) {
    const reason = `data does not match the ${record.topic} schema: ${checked.message}`;
    return { index, record, failed: { kind: 'dead-letter', cause: 'invalid', reason, attempts: 0 } };
  }
  return { index, record, event: toFlowlineEvent(record.topic, event, record.key, checked.value) };
}

class Runner {
  private readonly policy: RetryPolicy;
  private readonly fn: BoundFunction;
  private readonly options: DeliverOptions;
  private readonly publishes: OutgoingEvent[];
  private readonly seconds: Record<'each' | 'batch', HistogramChild>;

  constructor(fn: BoundFunction, options: DeliverOptions, publishes: OutgoingEvent[]) {
    this.fn = fn;
    this.options = options;
    this.publishes = publishes;
    this.policy = options.retry ?? fn.manifest.retry;
    const name = fn.manifest.name;
    this.seconds = {
      each: fn.metrics.handlerSeconds.labels({ function: name, mode: 'each' }),
      batch: fn.metrics.handlerSeconds.labels({ function: name, mode: 'batch' }),
    };
  }

  each(event: FlowlineEvent): Promise<Outcome> {
    const handler = this.fn.definition.handler as (event: FlowlineEvent, ctx: Context, deps: unknown) => Promise<void>;
    return this.attempt('each', [event], (ctx) => handler(event, ctx, this.fn.deps));
  }

  batch(events: FlowlineEvent[]): Promise<Outcome> {
    const handler = this.fn.definition.handler as (events: FlowlineEvent[], ctx: Context, deps: unknown) => Promise<void>;
    return this.attempt('batch', events, (ctx) => handler(events, ctx, this.fn.deps));
  }

  /**
   * Events with the same key run one after another, in order; different keys run
   * side by side up to `concurrency`. Once an event of a key must be redelivered,
   * the later events of that key are not attempted (they would overtake it).
   */
  async eachByKey(
    valid: { index: number; event: FlowlineEvent }[],
    outcomes: Outcome[],
    handle: (event: FlowlineEvent) => Promise<Outcome>,
  ): Promise<void> {
    const byKey = new Map<string, { index: number; event: FlowlineEvent }[]>();
    for (const item of valid) {
      const key = item.event.key ?? '';
      const group = byKey.get(key);
      if (group) group.push(item);
      else byKey.set(key, [item]);
    }
    const groups = [...byKey.values()];
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++] ?? [];
        let blocked: Outcome | undefined;
        for (const item of group) {
          outcomes[item.index] = blocked ?? (await handle(item.event));
          if (outcomes[item.index]?.kind === 'redeliver') blocked ??= outcomes[item.index];
        }
      }
    };
    const width = Math.min(this.fn.manifest.concurrency, groups.length);
    await Promise.all(Array.from({ length: width }, worker));
  }

  private async attempt(mode: 'each' | 'batch', events: FlowlineEvent[], call: (ctx: Context) => Promise<void>): Promise<Outcome> {
    const fn = this.fn;
    const first = events[0];
    const topic = first?.topic ?? '';
    for (let attempts = 1; ; attempts++) {
      const queued: OutgoingEvent[] = [];
      const origin = mode === 'each' && first ? { kind: 'event' as const, event: first } : { kind: 'batch' as const, events };
      const ctx = makeContext(fn, origin, queued, this.options.signal);
      const started = performance.now();
      const stopTimer = () => this.seconds[mode].observe((performance.now() - started) / 1000);
      try {
        await call(ctx);
        stopTimer();
        this.publishes.push(...queued);
        return { kind: 'success' };
      } catch (error) {
        stopTimer();
        const intent = classifyError(error);
        if (!intent.retry) return { kind: 'dead-letter', cause: 'permanent', reason: intent.reason, attempts };
        if (this.options.signal.aborted) return { kind: 'redeliver', reason: `shutting down: ${intent.reason}`, attempts };
        // "A dependency is away" is not "the event is at fault": hold the events (and so
        // the partition, or the Dapr delivery) until it is back, without spending an attempt.
        if (await waitForDependencies(fn, error, this.options.signal)) {
          if (this.options.signal.aborted) return { kind: 'redeliver', reason: `shutting down: ${intent.reason}`, attempts };
          attempts--;
          continue;
        }
        if (!hasAttemptsLeft(this.policy, attempts)) {
          const reason = `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${intent.reason}`;
          return this.options.onExhausted === 'dead-letter'
            ? { kind: 'dead-letter', cause: 'exhausted', reason, attempts }
            : { kind: 'redeliver', reason, attempts };
        }
        const delay = backoffDelay(this.policy, attempts, 'delayHintMs' in intent ? intent.delayHintMs : undefined);
        fn.metrics.retries.inc({ function: fn.manifest.name, topic });
        ctx.log.warn({ err: error, attempt: attempts, retryInMs: Math.round(delay), events: events.length }, 'handler failed; retrying');
        await sleep(delay, this.options.signal);
      }
    }
  }
}

/** The first of the function's dependencies whose check fails, with why; undefined when all answer. */
async function dependencyAway(fn: BoundFunction): Promise<{ name: string; reason: string } | undefined> {
  for (const [name, check] of Object.entries(fn.dependencies)) {
    try {
      await Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref())]);
    } catch (error) {
      return { name, reason: error instanceof Error ? error.message : String(error) };
    }
  }
  return undefined;
}

/**
 * After a failed attempt: when a dependency is away, waits (polling its check with
 * back-off) until it answers again or the host shuts down, and says so; when all
 * dependencies answer, returns false at once and the failure counts as an attempt.
 */
async function waitForDependencies(fn: BoundFunction, error: unknown, signal: AbortSignal): Promise<boolean> {
  let away = await dependencyAway(fn);
  if (!away) return false;
  const since = Date.now();
  fn.log.warn(
    { err: error, dependency: away.name, reason: away.reason },
    `${away.name} is away: holding these events until it is back (no attempt is spent, nothing is dead-lettered)`,
  );
  let last = since;
  for (let polls = 1; away && !signal.aborted; polls++) {
    await sleep(Math.min(5_000, backoffDelay(fn.manifest.retry, polls)), signal);
    const name = away.name;
    away = await dependencyAway(fn);
    const now = Date.now();
    fn.metrics.dependencyWaitSeconds.inc({ function: fn.manifest.name, dependency: name }, (now - last) / 1000);
    last = now;
  }
  if (!signal.aborted) fn.log.info({ waitedMs: Date.now() - since }, 'dependencies are back: retrying the held events');
  return true;
}
