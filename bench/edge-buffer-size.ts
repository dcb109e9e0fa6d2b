/**
 * What the edge store-and-forward buffer costs on disk: bytes per raw sample, and bytes per
 * compacted tag-minute once the bound is reached, in the real SQLite file.
 *
 *   node bench/edge-buffer-size.ts [--tags 200] [--minutes 720] [--every-ms 10000]
 *
 * Writes `tags` tags of 4 devices, one sample each per `every-ms`, for `minutes` of stamps,
 * a poll cycle per transaction as the adapter does: once into a buffer large enough to keep
 * every sample raw, once into one whose bound (1,000 samples) compacts nearly all of them.
 * Bytes are the pages in use (page_count − freelist_count, × page_size); the file itself
 * keeps freed pages for reuse, so its size is also printed. Values are noisy floats, as read.
 * A small run mostly measures the fixed pages of a nearly empty file: the defaults (864,000
 * samples, 144,000 tag-minutes, about 15 s) are large enough for the per-row figures.
 *
 * Each buffer is written twice in the same run, plain and encrypted (buffer.encryption:
 * AES-256-GCM per row), so the cost of sealing is read side by side: bytes, and CPU time
 * per sample to append and to read back and acknowledge (the forwarder's work).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import type { TelemetryRaw } from '../contracts/telemetry.ts';
import { openSampleJournal, type WhenFull } from '../edge-adapter/store-and-forward/sample-journal.ts';
import { stateDir } from '../local-dev/services/paths.ts';

const { values } = parseArgs({
  options: {
    tags: { type: 'string', default: '200' },
    minutes: { type: 'string', default: '720' },
    'every-ms': { type: 'string', default: '10000' },
  },
});
const tags = Number(values.tags);
const minutes = Number(values.minutes);
const everyMs = Number(values['every-ms']);
if (![tags, minutes, everyMs].every((n) => Number.isInteger(n) && n > 0)) {
  throw new Error('--tags, --minutes and --every-ms take positive whole numbers');
}

// Under the project's state directory, never /tmp (often tmpfs, not the disk a buffer lives on).
mkdirSync(join(stateDir, 'tmp'), { recursive: true });
const dir = mkdtempSync(join(stateDir, 'tmp', 'edge-buffer-size-'));
const start = Date.UTC(2026, 0, 1);

const key = randomBytes(32);

function fill(name: string, maxSamples: number, whenFull: WhenFull, sealed: boolean) {
  const path = join(dir, `${name}${sealed ? '-sealed' : ''}.sqlite`);
  const journal = openSampleJournal({
    path,
    maxSamples,
    whenFull,
    maxMinutes: 1_000_000_000,
    sync: 'normal',
    ...(sealed ? { key } : {}),
  });
  const appendStart = process.cpuUsage();
  let x = 1;
  const noise = () => {
    x = (x * 48_271) % 2_147_483_647;
    return x / 2_147_483_647;
  };
  for (let t = start; t < start + minutes * 60_000; t += everyMs) {
    const cycle: TelemetryRaw[] = Array.from({ length: tags }, (_, k) => ({
      timestamp: t,
      deviceId: `rtu-w0${k % 4}`,
      tagId: `tag-${k}`,
      value: 100 * (k % 7) + noise() * 10,
      quality: 192,
      sourceProtocol: 'MODBUS',
    }));
    journal.appendSamples(cycle);
  }
  const appendCpu = cpuSeconds(process.cpuUsage(appendStart));
  const db = (journal as unknown as { db: DatabaseSync }).db;
  const pragma = (name: string) => Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const used = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
  const result = { used, file: statSync(path).size, raw: journal.depth, minutes: journal.pendingMinutes, appendCpu, drainCpu: 0 };
  // What the forwarder does once the link is back: read a batch, acknowledge it.
  const drainStart = process.cpuUsage();
  for (let batch = journal.peekMinutes(2000); batch.length > 0; batch = journal.peekMinutes(2000))
    journal.acknowledgeMinutes(batch.at(-1)?.seq ?? 0);
  for (let batch = journal.peekSamples(2000); batch.length > 0; batch = journal.peekSamples(2000))
    journal.acknowledgeSamples(batch.at(-1)?.seq ?? 0);
  result.drainCpu = cpuSeconds(process.cpuUsage(drainStart));
  journal.close();
  return result;
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

try {
  const samples = tags * minutes * (60_000 / everyMs);
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const us = (seconds: number, n: number) => ((seconds * 1e6) / n).toFixed(2);
  console.log(`${samples} samples: ${tags} tags, one per ${everyMs} ms, for ${minutes} min`);
  for (const sealed of [false, true]) {
    const raw = fill('raw', samples + 1, 'compact', sealed);
    const perSample = raw.used / raw.raw;
    const compacted = fill('compacted', 1_000, 'compact', sealed);
    const perMinute = (compacted.used - compacted.raw * perSample) / compacted.minutes;
    console.log(sealed ? 'encrypted (buffer.encryption, AES-256-GCM per row):' : 'plain:');
    console.log(
      `  raw:       ${raw.raw} samples, ${mb(raw.used)} MB in use (file ${mb(raw.file)} MB): ${perSample.toFixed(1)} bytes a sample; CPU ${us(raw.appendCpu, samples)} µs a sample to append, ${us(raw.drainCpu, samples)} µs to read back and acknowledge`,
    );
    console.log(
      `  compacted: ${compacted.minutes} tag-minutes + ${compacted.raw} raw, ${mb(compacted.used)} MB in use (file ${mb(compacted.file)} MB): ${perMinute.toFixed(1)} bytes a tag-minute; CPU ${us(compacted.appendCpu, samples)} µs a sample to append and compact`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
