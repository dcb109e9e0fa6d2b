import type { Registry } from 'prom-client';

/** The one series a label set keeps: counts per bucket (cumulative only when exported), sum and count. */
interface Series {
  labels: Record<string, string>;
  counts: Float64Array;
  sum: number;
  count: number;
}

export interface HistogramChild {
  observe(value: number): void;
}

/**
 * A histogram observed once per event on the hot path: a child bound to its labels adds to its
 * bucket with no label validation or hashing per observation (prom-client's own child does both
 * every time, a third of the runtime's per-event overhead). Registered in the prom-client
 * registry and exported exactly as its Histogram would be (`_bucket` cumulative with `le`,
 * `_sum`, `_count`), so /metrics, the alerts and the dashboards read the same series.
 */
export class HandlerHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly buckets: readonly number[];
  private readonly labelNames: readonly string[];
  private series = new Map<string, Series>();

  constructor(options: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[]; registers: Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.buckets = [...options.buckets].sort((a, b) => a - b);
    // prom-client's registry takes any object that exports itself through get().
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  labels(labels: Record<string, string>): HistogramChild {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || !names.every((n) => this.labelNames.includes(n)))
      throw new Error(`${this.name} takes the labels ${this.labelNames.join(', ')}; got ${names.join(', ')}`);
    const key = this.labelNames.map((n) => labels[n]).join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      series = { labels: { ...labels }, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    const bound = series;
    const buckets = this.buckets;
    return {
      observe(value: number) {
        if (!Number.isFinite(value)) throw new TypeError(`a handler duration must be a finite number, got ${value}`);
        let i = 0;
        while (i < buckets.length && value > (buckets[i] as number)) i++;
        (bound.counts as Float64Array)[i] = ((bound.counts as Float64Array)[i] as number) + 1;
        bound.sum += value;
        bound.count += 1;
      },
    };
  }

  /** Same as labels(...).observe(value), for the rare caller (a tick) that times once. */
  startTimer(labels: Record<string, string>): () => number {
    const child = this.labels(labels);
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      child.observe(seconds);
      return seconds;
    };
  }

  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += counts[i] as number;
        values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series = new Map();
  }
}
