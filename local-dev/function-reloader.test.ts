import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReloadNotice } from './reload-notice.ts';
import { makeScratchFunctions, type ScratchFunctions } from './scratch-functions.ts';
import type { FromHost, ToHost } from './test-support/reloading-host-process.ts';

// The reloading host runs in a real Node process (the reload hooks do not apply to code run by
// vitest's module runner), over a scratch functions folder that this test writes and edits.
// Waits are bounded and generous; nothing here asserts a duration.

interface Counted {
  n: number;
  version: string;
}

const manifest = (name: string, publishes: string) => `name: ${name}\nsubscribes: [test.in]\npublishes: [${publishes}]\n`;

/** A handler that says which handler version and which helper version handled each event. */
const counterHandler = (handlerVersion: string, topic = 'test.counted') => `import { z } from 'zod';
import { defineFunction } from '#runtime';
import { label } from './label.ts';

export default defineFunction({ 'test.in': z.object({ n: z.number().int() }) }, async (event, ctx) => {
  ctx.publish('${topic}', { n: event.data.n, version: \`${handlerVersion}/\${label}\` }, { key: \`k\${event.data.n % 4}\` });
});
`;
const labelModule = (version: string) => `export const label: string = '${version}';\n`;

/** Runs alongside: its setup makes an instance id, so a reload or restart would show. */
const steadyHandler = `import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineFunction } from '#runtime';

export default defineFunction(
  { 'test.in': z.object({ n: z.number().int() }) },
  {
    setup: async () => ({ instance: randomUUID() }),
    handler: async (event, ctx, deps) => {
      ctx.publish('test.steady', { n: event.data.n, instance: deps.instance }, { key: \`k\${event.data.n % 4}\` });
    },
  },
);
`;

function writeCounter(dir: string, name = 'counter', topic = 'test.counted'): void {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'function.yaml'), manifest(name, topic));
  writeFileSync(join(dir, name, 'label.ts'), labelModule('l1'));
  writeFileSync(join(dir, name, 'handler.ts'), counterHandler('h1', topic));
}

class HostProcess {
  readonly notices: ReloadNotice[] = [];
  readonly events = new Map<string, unknown[]>();
  private stderr = '';
  private readonly drains: number[] = [];
  ready = false;
  private readonly child: ChildProcess;

  constructor(functionsDir: string) {
    this.child = fork(
      join(import.meta.dirname, 'test-support', 'reloading-host-process.ts'),
      [functionsDir, 'test.in', 'test.counted,test.steady,test.late'],
      { execArgv: ['--disable-warning=ExperimentalWarning'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.on('message', (message: FromHost) => {
      if (message.type === 'notice') this.notices.push(message.notice);
      else if (message.type === 'event') this.events.set(message.topic, [...(this.events.get(message.topic) ?? []), message.data]);
      else if (message.type === 'drained') this.drains.push(message.fed);
      else if (message.type === 'ready') this.ready = true;
    });
  }

  send(message: ToHost): void {
    this.child.send(message);
  }

  counted(topic = 'test.counted'): Counted[] {
    return (this.events.get(topic) ?? []) as Counted[];
  }

  async waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.child.exitCode !== null)
        throw new Error(`the host process exited (${this.child.exitCode}) waiting for ${what}: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`waited ${timeoutMs} ms for ${what} in vain; notices: ${JSON.stringify(this.notices)}; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  waitForNotice(kind: ReloadNotice['kind'], name: string): Promise<void> {
    const before = this.notices.filter((n) => n.kind === kind && n.name === name).length;
    return this.waitFor(
      `"${kind}" notice for ${name}`,
      () => this.notices.filter((n) => n.kind === kind && n.name === name).length > before,
    );
  }

  /** Stops feeding, waits until every function committed everything, and answers how many events were fed. */
  async pauseAndDrain(): Promise<number> {
    const before = this.drains.length;
    this.send({ type: 'pause-and-drain' });
    await this.waitFor('a drained bus', () => this.drains.length > before);
    return this.drains[before] as number;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.send({ type: 'stop' });
    await exited;
  }
}

const range = (to: number) => Array.from({ length: to }, (_, i) => i);
const numbers = (events: { n: number }[]) => events.map((e) => e.n).sort((a, b) => a - b);

/** The versions that handled each key's events, in handling order, with repeats collapsed. */
function versionRunsPerKey(events: Counted[]): string[][] {
  const runs = new Map<number, string[]>();
  for (const e of events) {
    const run = runs.get(e.n % 4) ?? [];
    if (run[run.length - 1] !== e.version) run.push(e.version);
    runs.set(e.n % 4, run);
  }
  return [...runs.values()];
}

let scratch: ScratchFunctions | undefined;
let host: HostProcess | undefined;
afterEach(async () => {
  await host?.stop();
  scratch?.remove();
  host = undefined;
  scratch = undefined;
});

async function startWith(write: (functionsDir: string) => void): Promise<{ host: HostProcess; dir: string }> {
  scratch = makeScratchFunctions('reloader-test');
  write(scratch.functionsDir);
  host = new HostProcess(scratch.functionsDir);
  await host.waitFor('ready host', () => host?.ready ?? false);
  return { host, dir: scratch.functionsDir };
}

describe('npm run dev: the reloading host', () => {
  it('reloads one function mid-stream, handler and then helper, losing nothing, while the other keeps running', async () => {
    const { host, dir } = await startWith((dir) => {
      writeCounter(dir);
      mkdirSync(join(dir, 'steady'));
      writeFileSync(join(dir, 'steady', 'function.yaml'), manifest('steady', 'test.steady'));
      writeFileSync(join(dir, 'steady', 'handler.ts'), steadyHandler);
    });
    host.send({ type: 'feed', everyMs: 2 });
    await host.waitFor('50 events handled', () => host.counted().length >= 50);

    const afterFirst = host.waitForNotice('reloaded', 'counter');
    writeFileSync(join(dir, 'counter', 'handler.ts'), counterHandler('h2'));
    await afterFirst;
    await host.waitFor('the new handler at work', () => host.counted().some((e) => e.version === 'h2/l1'));

    // Only the helper changes: a cache-busting query on handler.ts alone would keep 'l1'.
    const afterSecond = host.waitForNotice('reloaded', 'counter');
    writeFileSync(join(dir, 'counter', 'label.ts'), labelModule('l2'));
    await afterSecond;
    await host.waitFor('the new helper at work', () => host.counted().some((e) => e.version === 'h2/l2'));
    const fed = await host.pauseAndDrain();

    const counted = host.counted();
    expect(numbers(counted)).toEqual(range(fed)); // every event, each handled by exactly one version
    for (const run of versionRunsPerKey(counted)) expect(['h1/l1', 'h2/l1', 'h2/l2']).toEqual(expect.arrayContaining(run));
    // Per key, no event of an older version after a newer one: the old stopped before the new began.
    for (const run of versionRunsPerKey(counted)) expect(run).toEqual(['h1/l1', 'h2/l1', 'h2/l2'].filter((v) => run.includes(v)));
    const steady = host.counted('test.steady') as unknown as { n: number; instance: string }[];
    expect(numbers(steady)).toEqual(range(fed));
    expect(new Set(steady.map((e) => e.instance)).size).toBe(1); // set up once: never reloaded or restarted
    expect(host.notices.filter((n) => n.name === 'steady').map((n) => n.kind)).toEqual(['added']);
  }, 90_000);

  it('keeps the old version running through a broken handler, manifest and setup, and reloads the fix', async () => {
    const { host, dir } = await startWith((dir) => writeCounter(dir));
    host.send({ type: 'feed', everyMs: 2 });
    await host.waitFor('20 events handled', () => host.counted().length >= 20);
    const handlerFile = join(dir, 'counter', 'handler.ts');
    const failures = () => host.notices.filter((n): n is Extract<ReloadNotice, { kind: 'failed' }> => n.kind === 'failed');

    const syntax = host.waitForNotice('failed', 'counter');
    writeFileSync(handlerFile, counterHandler('h2').replace('async (event, ctx) => {', 'async (event, ctx) => { const x = ;'));
    await syntax;
    expect(failures()[0]).toMatchObject({ previousKeepsRunning: true });
    expect(failures()[0]?.reason).toMatch(/^SyntaxError: .*\(functions\/counter\/handler\.ts:5\)$/);

    const manifestFile = join(dir, 'counter', 'function.yaml');
    const badManifest = host.waitForNotice('failed', 'counter');
    writeFileSync(handlerFile, counterHandler('h2'));
    writeFileSync(manifestFile, 'name: counter\npublishes: [test.counted]\n'); // subscribes is required
    await badManifest;
    expect(failures()[1]?.reason).toContain('subscribes');

    const badSetup = host.waitForNotice('failed', 'counter');
    writeFileSync(manifestFile, manifest('counter', 'test.counted'));
    writeFileSync(
      handlerFile,
      counterHandler('h2')
        .replace(
          'async (event, ctx) => {',
          "{ setup: async () => { throw new Error('the tag rules file is missing'); }, handler: async (event, ctx) => {",
        )
        .replace('\n});\n', '\n} });\n'),
    );
    await badSetup;
    expect(failures()[2]?.reason).toContain('setup failed: the tag rules file is missing');
    const seenBeforeFix = host.counted().length;
    await host.waitFor('events handled after the failures', () => host.counted().length > seenBeforeFix + 20);
    expect(host.counted().every((e) => e.version === 'h1/l1')).toBe(true); // the old version kept going

    const fixed = host.waitForNotice('reloaded', 'counter');
    writeFileSync(handlerFile, counterHandler('h3'));
    await fixed;
    await host.waitFor('the fixed handler at work', () => host.counted().some((e) => e.version === 'h3/l1'));
    const fed = await host.pauseAndDrain();
    expect(numbers(host.counted())).toEqual(range(fed));
    expect(new Set(host.counted().map((e) => e.version))).toEqual(new Set(['h1/l1', 'h3/l1']));
  }, 90_000);

  it('starts a new function folder without a restart, and stops one whose folder is deleted', async () => {
    const { host, dir } = await startWith((dir) => writeCounter(dir));
    host.send({ type: 'feed', everyMs: 2 });
    await host.waitFor('20 events handled', () => host.counted().length >= 20);

    const added = host.waitForNotice('added', 'late');
    writeCounter(dir, 'late', 'test.late');
    await added;
    // A new group starts at the earliest offset: the events fed before it existed too.
    await host.waitFor('the new function at work', () => host.counted('test.late').some((e) => e.n === 0));

    const removed = host.waitForNotice('removed', 'late');
    rmSync(join(dir, 'late'), { recursive: true });
    await removed;
    const countedAtRemoval = host.counted().length;
    await host.waitFor('events after the removal', () => host.counted().length > countedAtRemoval + 50);
    const fed = await host.pauseAndDrain();

    const late = numbers(host.counted('test.late'));
    expect(late).toEqual(range(late.length)); // a prefix of the stream, each once
    expect(late.length).toBeLessThan(fed); // and nothing after it stopped
    expect(numbers(host.counted())).toEqual(range(fed));
  }, 90_000);
});
