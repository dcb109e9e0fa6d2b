import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { openSampleJournal, type SampleJournal } from './sample-journal.ts';

const dirs: string[] = [];
const journals: SampleJournal[] = [];
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath() {
  const dir = mkdtempSync(join(tmpdir(), 'edge-recovery-'));
  dirs.push(dir);
  return { dir, path: join(dir, 'buffer.sqlite') };
}

function open(path: string) {
  const journal = openSampleJournal({ path, maxSamples: 100_000, whenFull: 'compact', sync: 'full' });
  journals.push(journal);
  return journal;
}

// The samples journal-writer.fixture.ts appends (it runs on import, so it is not imported).
const writerSample = (i: number): TelemetryRaw => ({
  timestamp: 1_700_000_040_000 + i * 250,
  deviceId: 'rtu-1',
  tagId: `t${i % 4}`,
  value: i,
  quality: 192,
  sourceProtocol: 'MODBUS',
});

/** A journal with samples in it, closed: the file as a stopped adapter leaves it. */
function writtenBuffer(path: string, samples = 5_000) {
  const journal = openSampleJournal({ path, maxSamples: 100_000, whenFull: 'compact', sync: 'full' });
  journal.appendSamples(Array.from({ length: samples }, (_, i) => writerSample(i)));
  journal.close();
}

const movedFiles = (dir: string) => readdirSync(dir).filter((f) => /^buffer\.sqlite\.corrupt-\d{4}-\d\d-\d\dT[\d-]+\.\d{3}Z$/.test(f));

describe('the buffer file across power loss and damage', () => {
  it('a writer killed with SIGKILL mid-write loses nothing it committed, and the file opens', { timeout: 30_000 }, async () => {
    const { path } = tempPath();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'journal-writer.fixture.ts'), path], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let committed = 0;
    let errors = '';
    child.stderr.on('data', (c) => (errors += c));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        committed = Number(String(chunk).trim().split('\n').at(-1));
        // Several compactions in: the kill lands in a busy writer, batch or compaction.
        if (committed >= 5_000) resolve();
      });
      child.once('exit', () => reject(new Error(`the writer exited before it was killed: ${errors}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const journal = open(path);
    expect(journal.movedAside).toBeUndefined();
    const minutes = journal.peekMinutes(1_000_000);
    journal.release();
    const inMinutes = minutes.reduce((n, r) => n + r.minute.count, 0);
    const total = journal.compacted + journal.depth;
    // Every committed batch is there, and nothing but whole batches (a transaction per batch).
    expect(total).toBeGreaterThanOrEqual(committed);
    expect(total % 100).toBe(0);
    expect(inMinutes).toBe(journal.compacted);
    // The raw samples left follow the compacted ones without a gap.
    expect(journal.peekSamples(200_000).map((r) => r.sample)).toEqual(
      Array.from({ length: journal.depth }, (_, k) => writerSample(journal.compacted + k)),
    );
    journal.release();
    // And it takes new samples.
    expect(journal.appendSamples([writerSample(total)]).stored).toBe(1);
  });

  it('a truncated file at start is moved aside, counted, and a fresh buffer opened', () => {
    const { dir, path } = tempPath();
    writtenBuffer(path);
    const size = statSync(path).size;
    truncateSync(path, Math.floor(size / 2));
    const journal = open(path);
    expect(journal.movedAside).toMatchObject({ path, reason: expect.stringMatching(/malformed|quick_check/) });
    expect(movedFiles(dir)).toHaveLength(1);
    expect(statSync(join(dir, movedFiles(dir)[0] as string)).size).toBe(Math.floor(size / 2));
    expect(journal.corruptFiles).toBe(1);
    expect(journal.depth).toBe(0);
    journal.appendSamples([writerSample(0)]);
    expect(journal.peekSamples(5).map((r) => r.sample)).toEqual([writerSample(0)]);
  });

  it('a file of garbage at start is moved aside, its WAL not replayed into the fresh one, and the count survives a restart', () => {
    const { dir, path } = tempPath();
    const garbage = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 131 + 7) % 256));
    writeFileSync(path, garbage);
    writeFileSync(`${path}-wal`, garbage.subarray(0, 4096));
    const first = openSampleJournal({ path, maxSamples: 100_000, whenFull: 'compact', sync: 'full' });
    expect(first.movedAside?.reason).toMatch(/not a database/);
    const [moved] = movedFiles(dir);
    expect(readFileSync(join(dir, moved as string))).toEqual(garbage);
    expect(first.depth).toBe(0);
    first.appendSamples([writerSample(0)]);
    first.close();
    const second = open(path);
    expect(second.movedAside).toBeUndefined();
    expect(second.corruptFiles).toBe(1);
    expect(second.depth).toBe(1);
  });

  it('a sound file is left where it is', () => {
    const { dir, path } = tempPath();
    writtenBuffer(path, 300);
    const journal = open(path);
    expect(journal.movedAside).toBeUndefined();
    expect(journal.depth).toBe(300);
    expect(movedFiles(dir)).toEqual([]);
  });
});
