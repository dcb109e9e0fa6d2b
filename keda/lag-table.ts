import type { FunctionLag } from './lag.ts';

const columns = ['FUNCTION', 'TOPIC', 'PARTITION', 'COMMITTED', 'LATEST', 'LAG'] as const;

/**
 * The lag report as a terminal table: one row per partition (a partition the group
 * never committed shows `-`, and the lag KEDA assumes for it), then one line per
 * function with KEDA's metric per topic and the replica count it leads to.
 */
export function lagTable(results: readonly FunctionLag[]): string {
  const rows: string[][] = [];
  for (const fn of results) {
    for (const topic of fn.topics) {
      if (topic.error) rows.push([fn.target.function, topic.topic, '-', '-', '-', `unreadable: ${topic.error}`]);
      for (const p of topic.partitions) {
        rows.push([
          fn.target.function,
          topic.topic,
          String(p.partition),
          p.committedOffset === undefined ? '-' : String(p.committedOffset),
          String(p.latestOffset),
          p.committedOffset === undefined ? `${p.lag} (no commit, ${fn.target.offsetResetPolicy})` : String(p.lag),
        ]);
      }
    }
  }
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line), '', ...results.map(summaryOf)].join('\n');
}

export function summaryOf(fn: FunctionLag): string {
  const t = fn.target;
  const topics = fn.topics
    .map((topic) => {
      if (!topic.trigger) return `${topic.topic}: unreadable`;
      const { totalLag, metric, partitions } = topic.trigger;
      const capped = metric !== totalLag ? `, KEDA metric ${metric} (capped at ${partitions} partitions × ${t.lagThreshold})` : '';
      return `${topic.topic}: lag ${totalLag}${capped}`;
    })
    .join('; ');
  const bounds = `min ${fn.minReplicas}, max ${fn.maxReplicas}, lagThreshold ${t.lagThreshold}, activation > ${t.activationLagThreshold}`;
  if (!fn.decision) return `${t.function}: ${topics} → KEDA cannot read the lag; after 3 failed polls it applies its fallback (${bounds})`;
  const d = fn.decision;
  return `${t.function}: ${topics} → ${d.replicas} replica${d.replicas === 1 ? '' : 's'} (${d.active ? 'active' : 'idle'}; ${d.why}; ${bounds})`;
}
