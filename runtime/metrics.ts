import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { HandlerHistogram } from './handler-histogram.ts';

/** flowline_handler_duration_seconds' buckets: from half a millisecond (one event) to 10 s (a batch waiting on a slow database). */
export const handlerBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The runtime's own series, one set per process (the memory host runs several functions in one). */
export interface RuntimeMetrics {
  readonly registry: Registry;
  readonly events: Counter<'function' | 'topic' | 'outcome'>;
  readonly retries: Counter<'function' | 'topic'>;
  readonly dependencyWaitSeconds: Counter<'function' | 'dependency'>;
  readonly deadLetters: Counter<'function' | 'topic' | 'cause'>;
  readonly published: Counter<'function' | 'topic'>;
  readonly handlerSeconds: HandlerHistogram;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
}

export function createRuntimeMetrics(options: { processMetrics?: boolean } = {}): RuntimeMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    events: new Counter({
      name: 'flowline_events_total',
      help: 'Events delivered to a function, by final outcome (success, dead_letter, redeliver).',
      labelNames: ['function', 'topic', 'outcome'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'flowline_retries_total',
      help: 'Handler attempts that failed and were retried in-process.',
      labelNames: ['function', 'topic'],
      registers: [registry],
    }),
    dependencyWaitSeconds: new Counter({
      name: 'flowline_dependency_wait_seconds_total',
      help: 'Time handlers spent holding their events while a dependency (redis, postgres) was away; no attempt is spent meanwhile.',
      labelNames: ['function', 'dependency'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'flowline_dead_letters_total',
      help: 'Events sent to <topic>.dlq, by cause (undecodable, invalid, permanent, exhausted).',
      labelNames: ['function', 'topic', 'cause'],
      registers: [registry],
    }),
    published: new Counter({
      name: 'flowline_published_total',
      help: 'Events published by handlers, acknowledged by the broker.',
      labelNames: ['function', 'topic'],
      registers: [registry],
    }),
    handlerSeconds: new HandlerHistogram({
      name: 'flowline_handler_duration_seconds',
      help: 'Time spent in one handler call (one event, or one batch in batch mode).',
      labelNames: ['function', 'mode'],
      buckets: handlerBuckets,
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'flowline_consumer_lag',
      help: 'Messages between the group position and the partition high watermark, as seen by this consumer.',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    }),
  };
}

/** What a handler may record: its own series, prefixed `flowline_fn_<function>_`. */
export interface FunctionMetrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter<string>;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge<string>;
  histogram(name: string, help: string, labelNames?: readonly string[], buckets?: number[]): Histogram<string>;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * A function's own metrics live in the process registry, so a function bound again in the
 * same process (reloaded by `npm run dev`) gets the series it registered before, counts
 * kept, instead of a "metric already registered" error from its setup.
 */
export function functionMetrics(registry: Registry, functionName: string): FunctionMetrics {
  const prefix = `flowline_fn_${functionName.replaceAll('-', '_')}_`;
  function once<M extends AnyMetric>(
    name: string,
    kind: abstract new (...args: never[]) => M,
    labelNames: readonly string[],
    make: (full: string) => M,
  ): M {
    const full = prefix + name;
    const existing: unknown = registry.getSingleMetric(full);
    if (existing === undefined) return make(full);
    const registeredLabels = labelNamesOf(existing);
    if (!(existing instanceof kind) || registeredLabels.join() !== [...labelNames].join()) {
      throw new Error(
        `function "${functionName}": metric "${name}" is already registered in this process as a ${existing?.constructor.name ?? 'metric'} with labels [${registeredLabels.join(', ')}]; use another name, or restart the process to change its kind or labels`,
      );
    }
    return existing;
  }
  return {
    counter: (name, help, labelNames = []) =>
      once(name, Counter, labelNames, (full) => new Counter({ name: full, help, labelNames: [...labelNames], registers: [registry] })),
    gauge: (name, help, labelNames = []) =>
      once(name, Gauge, labelNames, (full) => new Gauge({ name: full, help, labelNames: [...labelNames], registers: [registry] })),
    histogram: (name, help, labelNames = [], buckets) =>
      once(
        name,
        Histogram,
        labelNames,
        (full) => new Histogram({ name: full, help, labelNames: [...labelNames], registers: [registry], ...(buckets ? { buckets } : {}) }),
      ),
  };
}

// prom-client keeps a metric's label names on the instance without typing them.
function labelNamesOf(metric: unknown): string[] {
  const names = (metric as { labelNames?: unknown } | undefined)?.labelNames;
  return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
}
