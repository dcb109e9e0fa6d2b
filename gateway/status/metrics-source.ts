import type { Registry } from 'prom-client';

/** Counters of one function since its process started (summed over replicas where the source can). */
export interface FunctionCounters {
  function: string;
  /** Events handled successfully. */
  succeeded: number;
  /** Events that ended dead-lettered or asked for redelivery, plus retried attempts. */
  failed: number;
}

/** Where throughput and error counts come from: the in-process registry, or Prometheus. */
export interface MetricsSource {
  read(): Promise<FunctionCounters[]>;
}

/** The embedded default: the functions share this process's prom-client registry. */
export function registryMetricsSource(registry: Registry): MetricsSource {
  return {
    async read() {
      const byFunction = new Map<string, FunctionCounters>();
      const entry = (name: string) => {
        let counters = byFunction.get(name);
        if (!counters) {
          counters = { function: name, succeeded: 0, failed: 0 };
          byFunction.set(name, counters);
        }
        return counters;
      };
      const events = registry.getSingleMetric('flowline_events_total');
      for (const value of events ? (await events.get()).values : []) {
        const fn = String(value.labels.function ?? '');
        if (value.labels.outcome === 'success') entry(fn).succeeded += value.value;
        else entry(fn).failed += value.value;
      }
      const retries = registry.getSingleMetric('flowline_retries_total');
      for (const value of retries ? (await retries.get()).values : []) entry(String(value.labels.function ?? '')).failed += value.value;
      return [...byFunction.values()];
    },
  };
}

/** Production: the same counters summed over every replica by Prometheus (the chart's ServiceMonitor scrapes them). */
export function prometheusMetricsSource(baseUrl: string, timeoutMs = 5_000): MetricsSource {
  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const url = new URL('/api/v1/query', baseUrl);
    url.searchParams.set('query', promql);
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`Prometheus answered ${res.status}`);
    const body = (await res.json()) as { data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    return body.data?.result ?? [];
  };
  return {
    async read() {
      const [events, retries] = await Promise.all([
        query('sum by (function, outcome) (flowline_events_total)'),
        query('sum by (function) (flowline_retries_total)'),
      ]);
      const byFunction = new Map<string, FunctionCounters>();
      const entry = (name: string) => byFunction.get(name) ?? byFunction.set(name, { function: name, succeeded: 0, failed: 0 }).get(name);
      for (const r of events) {
        const counters = entry(r.metric.function ?? '') as FunctionCounters;
        if (r.metric.outcome === 'success') counters.succeeded += Number(r.value[1]);
        else counters.failed += Number(r.value[1]);
      }
      for (const r of retries) (entry(r.metric.function ?? '') as FunctionCounters).failed += Number(r.value[1]);
      return [...byFunction.values()];
    },
  };
}
