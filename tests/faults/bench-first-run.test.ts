import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { freePorts } from '../../local-dev/services/process.ts';
import { freePort } from '../support/function-process.ts';

/**
 * Each bench, small, as a new user runs it on a fresh clone: its own empty state directory
 * and ports nobody uses, so it starts its broker (and PostgreSQL, Redis, daprd) from nothing
 * and creates its topics on a broker that has just come up. Found so: the first `npm run
 * bench` of a fresh clone died at once ("This server does not host this topic-partition",
 * then "not the leader for that topic-partition"), the second worked. Figures are not checked
 * here (speed is measured by the benches, never asserted); that each one finishes is.
 * In the fault suite's group: on services of its own, like every file there, it runs beside
 * the slow cases instead of adding its minutes to the integration files' one-at-a-time run.
 */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

async function runBench(script: string, args: string[]): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), 'flowline-bench-'));
  made.push(stateDir);
  const env = {
    ...process.env,
    FLOWLINE_STATE_DIR: stateDir,
    // The broker's controller listens on the next port: both must be free.
    FLOWLINE_KAFKA_PORT: String(await freePorts(2)),
    FLOWLINE_POSTGRES_PORT: String(await freePort()),
    FLOWLINE_REDIS_PORT: String(await freePort()),
  };
  const child = spawn(process.execPath, [join(repoRoot, 'bench', script), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`node bench/${script} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`);
  return output;
}

describe('the benches, first time on a fresh machine', () => {
  it('bench:runtime measures every host beside the bare consumer', async () => {
    const out = await runBench('runtime-overhead.ts', ['--events', '5000', '--rounds', '1']);
    for (const row of ['| bare kafkajs (floor) |', '| kafka host |', '| dapr host |', '| memory host |']) expect(out).toContain(row);
    expect(out).toMatch(/dapr host \/ kafka host: \d+\.\d\d/);
  }, 300_000);

  it('bench:persist and bench:edge each finish with their floors', async () => {
    const persist = await runBench('persist-copy.ts', ['--rows', '2000', '--rounds', '1']);
    expect(persist).toMatch(/COPY \/ stream\s+[\d,]+ rows\/s/);
    const edge = await runBench('edge-throughput.ts', ['--seconds', '3', '--devices', '2', '--tags', '100']);
    expect(edge).toMatch(/bare kafkajs producer, same records, batches of 2000, one in flight: [\d,]+ records\/s/);
  }, 300_000);

  it('bench:pipeline runs the five functions end to end and writes its results', async () => {
    const results = mkdtempSync(join(tmpdir(), 'flowline-bench-results-'));
    made.push(results);
    const out = await runBench('pipeline.ts', [
      ...['--loads', '200', '--seconds', '4', '--flat-out', '800', '--rounds', '1', '--wells', '10'],
      ...['--name', 'first-run', '--results', results],
    ]);
    expect(out).toContain('goals (issue 14)');
    expect(existsSync(join(results, 'first-run.svg'))).toBe(true);
    const written = JSON.parse(readFileSync(join(results, 'first-run.json'), 'utf8')) as { rounds: { drained: boolean }[] };
    expect(written.rounds.map((r) => r.drained)).toEqual([true, true]);
  }, 600_000);
});
