import { Gauge, Registry } from 'prom-client';
import type { FunctionLag } from './lag.ts';

/**
 * The lag report as Prometheus series, read from Kafka when scraped (one read serves
 * every series of a scrape; reads closer together than `minIntervalMs` share it).
 * Series names differ from the runtime's own `flowline_consumer_lag`, which is each
 * consumer's view of its assigned partitions; these are the group's, as KEDA sees it.
 */
export function createLagRegistry(read: () => Promise<readonly FunctionLag[]>, options: { minIntervalMs?: number } = {}): Registry {
  const minIntervalMs = options.minIntervalMs ?? 2_000;
  let last: { at: number; results: Promise<readonly FunctionLag[]> } | undefined;
  const current = () => {
    if (!last || Date.now() - last.at > minIntervalMs) last = { at: Date.now(), results: read() };
    return last.results;
  };
  const registry = new Registry();

  const series = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    fill: (gauge: Gauge<L>, results: readonly FunctionLag[]) => void,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const results = await current();
        this.reset();
        fill(this, results);
      },
    });

  const partitions = (results: readonly FunctionLag[]) =>
    results.flatMap((fn) =>
      fn.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          fn,
          p,
          labels: { function: fn.target.function, consumer_group: fn.target.consumerGroup, topic: t.topic, partition: String(p.partition) },
        })),
      ),
    );
  const triggers = (results: readonly FunctionLag[]) =>
    results.flatMap((fn) => fn.topics.map((t) => ({ fn, t, labels: { function: fn.target.function, topic: t.topic } })));

  series(
    'flowline_consumer_group_lag',
    "Messages behind the high watermark per partition, as KEDA counts them (a partition with no committed offset counts 1 under 'latest', the high watermark under 'earliest').",
    ['function', 'consumer_group', 'topic', 'partition'],
    (g, results) => {
      for (const { p, labels } of partitions(results)) g.set(labels, p.lag);
    },
  );
  series(
    'flowline_consumer_group_committed_offset',
    'The consumer group committed offset per partition (absent when the group never committed on it).',
    ['function', 'consumer_group', 'topic', 'partition'],
    (g, results) => {
      for (const { p, labels } of partitions(results)) if (p.committedOffset !== undefined) g.set(labels, p.committedOffset);
    },
  );
  series(
    'flowline_topic_latest_offset',
    'The high watermark per partition of a subscribed topic.',
    ['function', 'consumer_group', 'topic', 'partition'],
    (g, results) => {
      for (const { p, labels } of partitions(results)) g.set(labels, p.latestOffset);
    },
  );
  series(
    'flowline_keda_lag_metric',
    'What KEDA reports to the HPA for a topic trigger: total lag, capped at partitions × lagThreshold.',
    ['function', 'topic'],
    (g, results) => {
      for (const { t, labels } of triggers(results)) if (t.trigger) g.set(labels, t.trigger.metric);
    },
  );
  series(
    'flowline_keda_trigger_active',
    '1 when the topic total lag is above activationLagThreshold.',
    ['function', 'topic'],
    (g, results) => {
      for (const { t, labels } of triggers(results)) if (t.trigger) g.set(labels, t.trigger.active ? 1 : 0);
    },
  );
  series(
    'flowline_lag_readable',
    '1 when the topic and group offsets could be read; 0 means KEDA is failing too and will apply its fallback.',
    ['function', 'topic'],
    (g, results) => {
      for (const { t, labels } of triggers(results)) g.set(labels, t.trigger ? 1 : 0);
    },
  );
  series(
    'flowline_keda_desired_replicas',
    'The replica count KEDA and the HPA settle on for this lag (same formula as KEDA’s Kafka scaler).',
    ['function'],
    (g, results) => {
      for (const fn of results) if (fn.decision) g.set({ function: fn.target.function }, fn.decision.replicas);
    },
  );
  series(
    'flowline_keda_max_replicas',
    'maxReplicaCount: the manifest’s, clamped to the largest subscribed topic’s partitions.',
    ['function'],
    (g, results) => {
      for (const fn of results) g.set({ function: fn.target.function }, fn.maxReplicas);
    },
  );
  series('flowline_keda_min_replicas', 'minReplicaCount from the manifest.', ['function'], (g, results) => {
    for (const fn of results) g.set({ function: fn.target.function }, fn.minReplicas);
  });
  return registry;
}
