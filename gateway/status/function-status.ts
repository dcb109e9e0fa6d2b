import { z } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { LagSource } from './lag-source.ts';
import type { FunctionCounters, MetricsSource } from './metrics-source.ts';

export const FunctionStatus = z
  .object({
    name: z.string(),
    lag: z.number().nullable().describe('messages its consumer group has not committed yet'),
    topics: z.array(z.object({ topic: z.string(), lag: z.number().nullable() })),
    replicas: z.object({
      current: z.number().int().nullable().describe('running instances, when known'),
      desired: z.number().int().nullable().describe('what KEDA scales to for this lag'),
      min: z.number().int(),
      max: z.number().int(),
    }),
    throughputPerSecond: z.number().nullable().describe('events handled successfully per second, since the previous reading'),
    errorsPerSecond: z.number().nullable().describe('failed attempts per second (retried, redelivered or dead-lettered)'),
    deadLetters: z.number().nullable().describe('dead letters retained on the function’s .dlq topics'),
    error: z.string().optional(),
  })
  .openapi('FunctionStatus');
export type FunctionStatus = z.infer<typeof FunctionStatus>;

/**
 * The status board's function rows: lag and replicas from the lag source, rates from
 * the difference between two counter readings (at least a second apart). A counter
 * that went down (a restarted replica) counts as a fresh start, never as negative.
 */
export function functionStatusBoard(lag: LagSource, metrics: MetricsSource | undefined, clock: () => number, log: Logger) {
  let previous: { at: number; counters: Map<string, FunctionCounters> } | undefined;
  let rates: Map<string, { throughput: number; errors: number }> | undefined;

  async function readRates(): Promise<void> {
    if (!metrics) return;
    const at = clock();
    const counters = new Map((await metrics.read()).map((c) => [c.function, c]));
    if (previous && at - previous.at >= 1_000) {
      const seconds = (at - previous.at) / 1000;
      const next = new Map<string, { throughput: number; errors: number }>();
      for (const [name, now] of counters) {
        const before = previous.counters.get(name);
        const delta = (a: number, b: number | undefined) => (b === undefined || a < b ? a : a - b);
        next.set(name, {
          throughput: delta(now.succeeded, before?.succeeded) / seconds,
          errors: delta(now.failed, before?.failed) / seconds,
        });
      }
      rates = next;
    }
    if (!previous || at - previous.at >= 1_000) previous = { at, counters };
  }

  return {
    async read(): Promise<FunctionStatus[]> {
      const [readings] = await Promise.all([
        lag.read(),
        readRates().catch((err: unknown) => log.warn({ err }, 'function metrics unreadable; rates left blank')),
      ]);
      return readings.map((r) => {
        // Once two readings exist, a function with no counters yet has handled nothing: a rate of 0.
        const rate = rates && (rates.get(r.function) ?? { throughput: 0, errors: 0 });
        return {
          name: r.function,
          lag: r.lag ?? null,
          topics: r.topics.map((t) => ({ topic: t.topic, lag: t.lag ?? null })),
          replicas: { current: r.replicas.current ?? null, desired: r.replicas.desired ?? null, min: r.replicas.min, max: r.replicas.max },
          throughputPerSecond: rate ? round(rate.throughput) : null,
          errorsPerSecond: rate ? round(rate.errors) : null,
          deadLetters: r.deadLetters ?? null,
          ...(r.error ? { error: r.error } : {}),
        };
      });
    },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
