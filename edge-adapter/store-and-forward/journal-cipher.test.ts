import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { EdgeConfig } from '../config/edge-config.ts';
import { resolveEdgeConfig } from '../config/load-edge-config.ts';
import { parseBufferKey } from './journal-cipher.ts';
import { journalTestBed } from './journal-test-bed.ts';
import { openSampleJournal } from './sample-journal.ts';

const { open, tempDir } = journalTestBed({ maxSamples: 1000, whenFull: 'compact', maxMinutes: 100_000, sync: 'normal' });
const key = randomBytes(32);

// A value no float of a counter or an index would make by chance, to look for in the file.
const marker = 123456.789012;
const sample = (i: number, value = marker + i): TelemetryRaw => ({
  timestamp: 1_700_000_040_000 + i * 1000,
  deviceId: 'wellhead-rtu',
  tagId: `t${i % 2}`,
  value,
  quality: 192,
  sourceProtocol: 'MODBUS',
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => sample(from + k));
const fileHolds = (path: string, bytes: Buffer) => readFileSync(path).includes(bytes);
// As SQLite's record format stores a REAL: 8 bytes, big-endian.
const float = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(v);
  return b;
};

describe('an encrypted buffer', () => {
  it('hands back what it was given, and the file holds none of the values, figures or events in the clear', () => {
    const path = join(tempDir(), 'buffer.sqlite');
    const journal = open({ key }, path);
    journal.appendSamples(range(0, 1100)); // past the bound: the oldest are compacted into minutes
    journal.appendEvent({
      topic: 'system.audit-log',
      key: 'pad',
      id: 'a-1',
      time: 5,
      data: { actor: 'crew@pad', secret: 'setpoint 42.5' },
    });
    expect(journal.compacted).toBeGreaterThan(0);
    const minutes = journal.peekMinutes(1000);
    expect(minutes.reduce((n, m) => n + m.minute.count, 0)).toBe(journal.compacted);
    expect(minutes[0]?.minute).toMatchObject({ min: marker, worstQuality: 192 });
    const samples = journal.peekSamples(2000);
    expect(samples.map((s) => s.sample)).toEqual(range(journal.compacted, 1100));
    expect(journal.peekEvents(10)[0]?.data).toEqual({ actor: 'crew@pad', secret: 'setpoint 42.5' });
    journal.close();

    expect(fileHolds(path, float(marker + 1099))).toBe(false);
    expect(fileHolds(path, float(marker))).toBe(false);
    expect(fileHolds(path, Buffer.from('setpoint 42.5'))).toBe(false);
    expect(fileHolds(path, Buffer.from('wellhead-rtu'))).toBe(true); // names stay readable, on purpose

    const reopened = open({ key }, path);
    expect(reopened.peekSamples(2000).map((s) => s.sample)).toEqual(range(1100 - samples.length, 1100));
  });

  it('the same journal without a key keeps values in the clear (what the test above looks for is really there)', () => {
    const path = join(tempDir(), 'buffer.sqlite');
    const journal = open({}, path);
    journal.appendSamples(range(0, 10));
    journal.close();
    expect(fileHolds(path, float(marker + 9))).toBe(true);
  });

  it('opens only with the key it was written with, and never moves the file aside for it', () => {
    const path = join(tempDir(), 'buffer.sqlite');
    const first = open({ key }, path);
    first.appendSamples(range(0, 5));
    first.close();
    const options = { path, maxSamples: 1000, whenFull: 'compact' as const, sync: 'normal' as const };
    expect(() => openSampleJournal(options)).toThrow(/is encrypted and no key was given: set buffer.encryption/);
    expect(() => openSampleJournal({ ...options, key: randomBytes(32) })).toThrow(/was encrypted with another key/);
    const again = open({ key }, path);
    expect(again.movedAside).toBeUndefined();
    expect(again.depth).toBe(5);
  });

  it('a plain buffer given a key reads its old rows and seals the new ones', () => {
    const path = join(tempDir(), 'buffer.sqlite');
    const plain = openSampleJournal({ path, maxSamples: 1000, whenFull: 'compact', sync: 'normal' });
    plain.appendSamples(range(0, 3));
    plain.close();
    const sealed = open({ key }, path);
    sealed.appendSamples(range(3, 6));
    expect(sealed.peekSamples(10).map((s) => s.sample)).toEqual(range(0, 6));
  });

  it('refuses a row moved to another series (the row’s place is sealed with it)', () => {
    const path = join(tempDir(), 'buffer.sqlite');
    const journal = open({ key }, path);
    journal.appendSamples(range(0, 2)); // t0 and t1: two series
    journal.close();
    const db = new DatabaseSync(path);
    db.exec('UPDATE samples SET series = (SELECT max(id) FROM series) WHERE seq = 1');
    db.close();
    expect(() => open({ key }, path).peekSamples(10)).toThrow(/does not open with this key: .*altered/);
  });
});

describe('buffer.encryption', () => {
  const base = {
    site: 'pad',
    kafka: { brokers: ['k:9092'] },
    devices: [{ id: 'p', protocol: 'modbus', host: 'h', tags: [{ id: 't', table: 'coil', address: 1 }] }],
  };
  const resolve = (encryption: unknown, env: Record<string, string> = {}) =>
    resolveEdgeConfig(EdgeConfig.parse({ ...base, buffer: { encryption } }), { baseDir: tempDir(), env, cwd: tempDir() });

  it('reads a key from the environment, in base64 or hex', () => {
    const b64 = key.toString('base64');
    expect(resolve({ keyEnv: 'EDGE_BUFFER_KEY' }, { EDGE_BUFFER_KEY: `${b64}\n` }).bufferKey).toEqual(key);
    expect(resolve({ keyEnv: 'EDGE_BUFFER_KEY' }, { EDGE_BUFFER_KEY: key.toString('hex') }).bufferKey).toEqual(key);
  });

  it('says what is wrong with a missing or malformed key', () => {
    expect(() => resolve({ keyEnv: 'EDGE_BUFFER_KEY' })).toThrow(
      /buffer.encryption.keyEnv: the environment variable EDGE_BUFFER_KEY is not set/,
    );
    expect(() => resolve({ keyEnv: 'EDGE_BUFFER_KEY' }, { EDGE_BUFFER_KEY: 'hunter2' })).toThrow(/openssl rand -base64 32/);
    expect(() => resolve({ keyFile: 'no-such.key' })).toThrow(/buffer.encryption.keyFile: .*no-such.key does not exist/);
    expect(parseBufferKey(randomBytes(16).toString('base64'))).toHaveProperty('problem');
  });
});
