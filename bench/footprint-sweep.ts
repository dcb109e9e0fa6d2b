/**
 * Cost as the work grows (issue 14): the pipeline bench (bench/pipeline.ts) at one paced load
 * and once flat out, on fleets of growing size — by default 100, 1,000 and 10,000 wells of ten
 * tags, so 1,000 to 100,000 series in validate's and alarm's per-tag state — each run long
 * enough that every series is seen at least once. Per function process: RSS idle, peak and
 * 10 s after; CPU ms per 1,000 samples; and, per size, p99 sample → row committed at the load
 * and the flat-out rate. Prints a Markdown table and writes bench/results/<name>.json.
 *
 *   node bench/footprint-sweep.ts [--wells 100,1000,10000] [--load 2000] [--name footprint]
 *                                 [--results bench/results]
 *
 * Each size is its own `node bench/pipeline.ts` run (fresh function processes, so RSS is that
 * size's); their own JSON files go to the results folder as <name>-<wells>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../local-dev/services/paths.ts';
import type { Summary } from './pipeline/report.ts';

const { values } = parseArgs({
  options: {
    wells: { type: 'string', default: '100,1000,10000' },
    load: { type: 'string', default: '2000' },
    name: { type: 'string', default: 'footprint' },
    results: { type: 'string', default: join(repoRoot, 'bench', 'results') },
  },
});
const whole = (flag: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} takes whole numbers above 0, got "${raw}"`);
  return n;
};
const sizes = (values.wells ?? '').split(',').map((w) => whole('wells', w.trim()));
const load = whole('load', values.load ?? '');
const name = values.name ?? 'footprint';
if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`--name is a file name (lower-case letters, digits, "-"), got "${name}"`);
const resultsDir = values.results ?? join(repoRoot, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });

/** The fleet's tags per RTU (bench/pipeline/fleet.ts). */
const TAGS_PER_WELL = 10;

interface SizeResult {
  wells: number;
  series: number;
  seconds: number;
  summary: Summary;
}

function runPipeline(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bench', 'pipeline.ts'), ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`node bench/pipeline.ts ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const results: SizeResult[] = [];
for (const wells of sizes) {
  const series = wells * TAGS_PER_WELL;
  // Every series seen at least once at the paced load, and again flat out.
  const seconds = Math.max(20, Math.ceil((1.2 * series) / load));
  const file = `${name}-${wells}`;
  console.log(`\n== ${wells.toLocaleString('en-US')} wells, ${series.toLocaleString('en-US')} series: ${load}/s for ${seconds} s`);
  await runPipeline([
    ...['--wells', String(wells), '--loads', String(load), '--seconds', String(seconds)],
    ...['--flat-out', String(Math.max(50_000, series)), '--rounds', '1', '--name', file, '--results', resultsDir],
  ]);
  const written = JSON.parse(readFileSync(join(resultsDir, `${file}.json`), 'utf8')) as { summary: Summary };
  results.push({ wells, series, seconds, summary: written.summary });
}

const int = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const functions = Object.keys(results[0]?.summary.idleRssMb ?? {});
const rows: string[][] = [];
for (const r of results) {
  const paced = r.summary.loads.find((l) => l.offered === load);
  const flat = r.summary.loads.find((l) => l.offered === null);
  for (const fn of functions) {
    const f = paced?.functions[fn];
    rows.push([
      int(r.series),
      fn,
      `${int(r.summary.idleRssMb[fn])} MB (${int(r.summary.idlePrivateMb[fn])} MB)`,
      `${int(f?.peakRssMb)} MB`,
      `${int(r.summary.idleAfterRssMb[fn])} MB`,
      `${int(f?.cpuMsPerThousand)} ms`,
    ]);
  }
  rows.push([
    int(r.series),
    `p99 → commit at ${int(load)}/s: ${int(paced?.commitP99)} ms; flat out ${int(flat?.throughput)}/s`,
    '',
    '',
    '',
    '',
  ]);
}
const head = ['series', 'function', 'idle RSS (private)', `peak RSS at ${int(load)}/s`, 'idle after', 'CPU per 1,000 samples'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(`\ncost as the work grows (${TAGS_PER_WELL} tags a well; each size a fresh set of function processes)\n`);
console.log([line(head), `|${widths.map((w) => `-${'-'.repeat(w)}-`).join('|')}|`, ...rows.map(line)].join('\n'));

writeFileSync(
  join(resultsDir, `${name}.json`),
  `${JSON.stringify(
    {
      command: process.argv.slice(2).length
        ? `node bench/footprint-sweep.ts ${process.argv.slice(2).join(' ')}`
        : 'npm run bench:footprint',
      date: new Date().toISOString(),
      load,
      tagsPerWell: TAGS_PER_WELL,
      sizes: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${join(resultsDir, `${name}.json`)}`);
