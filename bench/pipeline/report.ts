import type { CommitClock, RoundLatency } from './commit-latency.ts';
import type { LagByGroupTopic } from './lag.ts';

/** Issue 14's goals for the pipeline, printed beside the figures. */
export const goals = { throughput: 10_000, p99Ms: 250, liveP99Ms: 500, atLoad: 2_000, idleRssMb: 80 } as const;

/** What a viewer of the field's live room saw of a round's samples (bench/pipeline/live-latency.ts). */
export interface LiveRound {
  received: number;
  p50: number | undefined;
  p99: number | undefined;
  resyncs: number;
}

export interface RoundResult extends RoundLatency {
  round: number;
  load: string;
  /** Samples/s offered; null when flat out. */
  offered: number | null;
  sent: number;
  producedPerSecond: number;
  stored: number;
  /** Every sample sent was stored before the round's wait ran out. */
  drained: boolean;
  peakLag: LagByGroupTopic;
  functions: Record<string, { peakRssMb: number; cpuSeconds: number }>;
  wallSeconds: number;
  floors: { consumer: number; copy: number };
  live: LiveRound;
}

export interface LoadSummary {
  load: string;
  offered: number | null;
  producedPerSecond: number;
  throughput: number | undefined;
  commitP50: number | undefined;
  commitP99: number | undefined;
  validateP99: number;
  liveP99: number | undefined;
  /** Share of the round's samples the live viewer received (median over rounds). */
  liveReceived: number;
  drained: string;
  /** The group and topic with the highest peak lag (median over rounds), and that lag. */
  behind: { stage: string; lag: number } | undefined;
  functions: Record<string, { peakRssMb: number; cpuSeconds: number; cpuMsPerThousand: number }>;
  floors: { consumer: number; copy: number };
}

export interface Summary {
  loads: LoadSummary[];
  /** RSS once started, before any sample; and 10 s after the last round. */
  idleRssMb: Record<string, number>;
  idleAfterRssMb: Record<string, number>;
  /** Of the idle RSS before any sample, the process's own pages (RssAnon): the rest is node's binary and libraries, mapped from disk. */
  idlePrivateMb: Record<string, number>;
}

const median = (xs: readonly number[]): number => {
  const sorted = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const maybe = (xs: readonly (number | undefined)[]) => {
  const m = median(xs.filter((x): x is number => x !== undefined));
  return Number.isFinite(m) ? m : undefined;
};

/** Medians per load over the rounds. */
export function summarise(
  results: readonly RoundResult[],
  idleRssMb: Record<string, number>,
  idleAfterRssMb: Record<string, number>,
  idlePrivateMb: Record<string, number>,
): Summary {
  const labels = [...new Set(results.map((r) => r.load))];
  const loads = labels.map((load): LoadSummary => {
    const rs = results.filter((r) => r.load === load);
    const stages = [...new Set(rs.flatMap((r) => Object.keys(r.peakLag)))];
    const lagOf = Object.fromEntries(stages.map((s) => [s, median(rs.map((r) => r.peakLag[s] ?? 0))]));
    const top = stages.sort((a, b) => (lagOf[b] ?? 0) - (lagOf[a] ?? 0))[0];
    const fns = [...new Set(rs.flatMap((r) => Object.keys(r.functions)))];
    return {
      load,
      offered: rs[0]?.offered ?? null,
      producedPerSecond: median(rs.map((r) => r.producedPerSecond)),
      throughput: maybe(rs.map((r) => r.throughput)),
      commitP50: maybe(rs.map((r) => r.commit?.p50)),
      commitP99: maybe(rs.map((r) => r.commit?.p99)),
      validateP99: median(rs.map((r) => r.validate.p99)),
      liveP99: maybe(rs.map((r) => r.live.p99)),
      liveReceived: median(rs.map((r) => r.live.received / Math.max(1, r.sent))),
      drained: `${rs.filter((r) => r.drained).length}/${rs.length}`,
      behind: top && (lagOf[top] ?? 0) > 0 ? { stage: top, lag: lagOf[top] ?? 0 } : undefined,
      functions: Object.fromEntries(
        fns.map((fn) => {
          const cpu = median(rs.map((r) => r.functions[fn]?.cpuSeconds ?? Number.NaN));
          const sent = median(rs.map((r) => r.sent));
          return [
            fn,
            {
              peakRssMb: median(rs.map((r) => r.functions[fn]?.peakRssMb ?? Number.NaN)),
              cpuSeconds: cpu,
              cpuMsPerThousand: (cpu * 1e6) / sent,
            },
          ];
        }),
      ),
      floors: { consumer: median(rs.map((r) => r.floors.consumer)), copy: median(rs.map((r) => r.floors.copy)) },
    };
  });
  return { loads, idleRssMb, idleAfterRssMb, idlePrivateMb };
}

const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ms = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n) ? 'n/a' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

/** The tables (Markdown, so the README can take them as printed) and the goals beside the figures. */
export function printReport(
  summary: Summary,
  context: { wells: number; tags: number; seconds: number; rounds: number; machine: string; commitClock: CommitClock },
): void {
  const { loads, idleRssMb, idleAfterRssMb, idlePrivateMb } = summary;
  console.log(
    `\n${context.wells} RTUs × ${context.tags} tags; ${context.seconds} s a paced load; median of ${context.rounds} round(s); ${context.machine}\n`,
  );
  console.log(
    table(
      [
        'offered',
        'produced/s',
        'end to end/s',
        'p50 → commit',
        'p99 → commit',
        'p99 → validate',
        'p99 → browser',
        'drained',
        'stage behind (peak lag)',
        'floor: consumer/s',
        'floor: COPY rows/s',
      ],
      loads.map((l) => [
        l.load,
        int(l.producedPerSecond),
        int(l.throughput),
        ms(l.commitP50),
        ms(l.commitP99),
        ms(l.validateP99),
        `${ms(l.liveP99)}${l.liveReceived < 0.999 ? ` (${(l.liveReceived * 100).toFixed(0)} % seen)` : ''}`,
        l.drained,
        l.behind ? `${l.behind.stage} (${int(l.behind.lag)})` : 'none',
        int(l.floors.consumer),
        int(l.floors.copy),
      ]),
    ),
  );
  const fns = Object.keys(idleRssMb);
  console.log(
    `\nper function process: peak RSS / CPU ms per 1,000 samples at each load; RSS idle before (private: the process's own pages) and after\n`,
  );
  console.log(
    table(
      ['function', 'idle RSS (private)', 'idle after', ...loads.map((l) => l.load)],
      fns.map((fn) => [
        fn,
        `${int(idleRssMb[fn])} MB (${int(idlePrivateMb[fn])} MB)`,
        `${int(idleAfterRssMb[fn])} MB`,
        ...loads.map((l) => {
          const f = l.functions[fn];
          return f ? `${int(f.peakRssMb)} MB / ${int(f.cpuMsPerThousand)} ms` : 'n/a';
        }),
      ]),
    ),
  );

  const flat = loads.find((l) => l.offered === null);
  const atGoalLoad = loads.find((l) => l.offered === goals.atLoad);
  const best = Math.max(...loads.map((l) => l.throughput ?? 0));
  const consumerFloor = median(loads.map((l) => l.floors.consumer));
  const copyFloor = median(loads.map((l) => l.floors.copy));
  const worstIdle = Math.max(...Object.values(idleRssMb));
  const worstPrivate = Math.max(...Object.values(idlePrivateMb));
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log('\ngoals (issue 14)');
  console.log(
    `  end to end ≥ ${int(goals.throughput)} samples/s: best ${int(best)}/s${flat ? ` (flat out ${int(flat.throughput)}/s)` : ''} — ${verdict(best >= goals.throughput)}; ` +
      `floors: bare consumer ${int(consumerFloor)}/s, bare COPY ${int(copyFloor)} rows/s (the pipeline at ${((best / Math.min(consumerFloor, copyFloor)) * 100).toFixed(0)} % of the lower)`,
  );
  if (context.commitClock === 'none') {
    console.log(
      `  p99 sample → row committed < ${goals.p99Ms} ms at ${int(goals.atLoad)}/s: not measured (no commit timestamps; see above)`,
    );
  } else {
    console.log(
      `  p99 sample → row committed < ${goals.p99Ms} ms at ${int(goals.atLoad)}/s: ${ms(atGoalLoad?.commitP99)} — ${atGoalLoad ? verdict((atGoalLoad.commitP99 ?? Number.POSITIVE_INFINITY) < goals.p99Ms) : 'no round at that load'}`,
    );
  }
  console.log(
    `  p99 sample → a browser's WebSocket < ${goals.liveP99Ms} ms at ${int(goals.atLoad)}/s: ${ms(atGoalLoad?.liveP99)} — ${atGoalLoad ? verdict((atGoalLoad.liveP99 ?? Number.POSITIVE_INFINITY) < goals.liveP99Ms) : 'no round at that load'}`,
  );
  console.log(
    `  idle RSS of a function process < ${goals.idleRssMb} MB: largest ${int(worstIdle)} MB (${fns.map((fn) => `${fn} ${int(idleRssMb[fn])}`).join(', ')}) — ${verdict(worstIdle < goals.idleRssMb)}; ` +
      `its own pages at most ${int(worstPrivate)} MB, the rest node's binary and libraries mapped from disk`,
  );
  const behind = flat?.behind ?? loads.at(-1)?.behind;
  if (behind) console.log(`  stage behind at saturation: ${behind.stage}, peak lag ${int(behind.lag)}`);
}
