/**
 * The function developer's loop, measured on the reloading host behind `npm run dev`:
 *
 *   edit      a handler.ts rewritten on disk → the first event handled by the new code, with
 *             events arriving every 2 ms (so "its next event" waits at most that long)
 *   new       `flowline new function` (the CLI's own code) writing a folder → that function's
 *             first event handled (one sample waits on its topic; a new group starts earliest)
 *
 * Both run over a scratch functions folder (under .flowline/scratch, removed afterwards) with
 * the same watcher, debounce, reload hook and bus as `npm run dev`, without the rest of the
 * embedded stack (edge, gateway, PGlite), which neither path touches. Each round is timed from
 * the write to the event; the table gives the median with the range, and the reloader's own
 * share (load, bind, swap) beside it.
 *
 *   node bench/dev-loop.ts [--rounds 7]
 *
 * Numbers depend on the machine and on whatever else it is doing.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { newFunction } from '../cli/new-function.ts';
import type { ReloadNotice } from '../local-dev/reload-notice.ts';
import { startReloadingHost } from '../local-dev/reloading-host.ts';
import { makeScratchFunctions } from '../local-dev/scratch-functions.ts';
import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { bindTo } from '../runtime/process-bindings.ts';
import type { Resources } from '../runtime/resources/open.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number of rounds, at least 1; got "${values.rounds}"`);

const echoHandler = (version: string) => `import { z } from 'zod';
import { defineFunction } from '#runtime';
import { stamp } from './stamp.ts';

export default defineFunction({ 'bench.in': z.object({ n: z.number().int() }) }, async (event, ctx) => {
  ctx.publish('bench.out', { n: event.data.n, version: stamp('${version}') });
});
`;

const scratch = makeScratchFunctions('bench-dev-loop');
const echoDir = join(scratch.functionsDir, 'echo');
await mkdir(echoDir);
writeFileSync(join(echoDir, 'function.yaml'), 'name: echo\nsubscribes: [bench.in]\npublishes: [bench.out]\n');
writeFileSync(join(echoDir, 'stamp.ts'), 'export const stamp = (version: string): string => version;\n');
writeFileSync(join(echoDir, 'handler.ts'), echoHandler('v0'));

const bus = new MemoryBus({ partitions: 3 });
const metrics = createRuntimeMetrics({ processMetrics: false });
const resources: Resources = { redis: undefined, db: undefined, checks: {}, close: async () => {} };
const notices: ReloadNotice[] = [];
const host = await startReloadingHost({
  functionsDir: scratch.functionsDir,
  bus,
  bind: (loaded) => bindTo(loaded, resources, pino({ level: 'silent' }), metrics),
  notify: (notice) => notices.push(notice),
});

const firstSeen = new Map<string, number>(); // echo's output version → when the observer first saw it
const observer = bus.subscribe(
  'bench-observer',
  ['bench.out'],
  async (records) => {
    for (const r of records) {
      const { data } = JSON.parse(String(r.value)) as { data: { version: string } };
      if (!firstSeen.has(data.version)) firstSeen.set(data.version, performance.now());
    }
    return records.length;
  },
  { maxChunk: 1_000, fromBeginning: false },
);
let n = 0;
const feeder = setInterval(() => {
  const event = createEvent({ source: 'urn:flowline:bench', type: 'bench.in', data: { n: n++ } });
  bus.publish([{ topic: 'bench.in', key: undefined, value: encodeEvent(event).toString('utf8') }]);
}, 2);

try {
  await until('echo at work', () => firstSeen.has('v0'));
  const edit: number[] = [];
  const editReload: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const version = `v${round}`;
    const started = performance.now();
    writeFileSync(join(echoDir, 'handler.ts'), echoHandler(version));
    await until(`echo ${version} at work`, () => firstSeen.has(version));
    edit.push((firstSeen.get(version) as number) - started);
    editReload.push(lastNotice('reloaded', 'echo'));
    await pause(300); // let the watcher settle before the next edit
  }

  // One sample on the template's topic, before any of the new functions exists.
  const sample = {
    timestamp: Date.now(),
    deviceId: 'rtu-w01',
    tagId: 'tubing_pressure',
    value: 812.5,
    quality: 192,
    sourceProtocol: 'MODBUS',
  };
  bus.publish([
    {
      topic: 'scada.telemetry.raw',
      key: 'rtu-w01',
      value: encodeEvent(createEvent({ source: 'urn:flowline:bench', type: 'scada.telemetry.raw', data: sample })).toString('utf8'),
    },
  ]);
  const created: number[] = [];
  const createdAdd: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const name = `fresh-${round}`;
    const started = performance.now();
    await newFunction(scratch.root, [name, '--subscribes', 'scada.telemetry.raw']);
    await until(`${name}'s first event`, async () => (await handled(name)) > 0);
    created.push(performance.now() - started);
    createdAdd.push(lastNotice('added', name));
    rmSync(join(scratch.functionsDir, name), { recursive: true });
    await until(`${name} stopped`, () => notices.some((x) => x.kind === 'removed' && x.name === name));
  }

  const failures = notices.filter((x) => x.kind === 'failed');
  console.log(`\nnpm run dev, the function developer's loop: ${rounds} rounds each, median [min–max]\n`);
  console.log('  path                                               to the event           reloader (load, bind, swap)');
  console.log(`  edit handler.ts → the new handler's next event     ${row(edit)}   ${row(editReload)}`.trimEnd());
  console.log(`  flowline new function → its first event            ${row(created)}   ${row(createdAdd)}`.trimEnd());
  console.log(
    `\nBoth include the watcher's 100 ms debounce; events arrived every 2 ms.${failures.length ? ` ${failures.length} load failure(s): ${JSON.stringify(failures)}` : ''}`,
  );
} finally {
  clearInterval(feeder);
  await observer.stop();
  await host.stop();
  scratch.remove();
}

function row(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const fmt = (x: number) => `${Math.round(x)}`;
  return `${fmt(median).padStart(5)} ms [${fmt(sorted[0] ?? 0)}–${fmt(sorted[sorted.length - 1] ?? 0)}]`.padEnd(20);
}

function lastNotice(kind: 'added' | 'reloaded', name: string): number {
  const notice = notices.findLast((x) => x.kind === kind && x.name === name);
  if (notice?.kind !== kind) throw new Error(`no "${kind}" notice for ${name}: ${JSON.stringify(notices.slice(-3))}`);
  return notice.ms;
}

async function handled(name: string): Promise<number> {
  const { values } = await metrics.events.get();
  return values.filter((v) => v.labels.function === name && v.labels.outcome === 'success').reduce((sum, v) => sum + v.value, 0);
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`waited ${timeoutMs} ms for ${what} in vain; last notices: ${JSON.stringify(notices.slice(-3))}`);
    await pause(1);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
