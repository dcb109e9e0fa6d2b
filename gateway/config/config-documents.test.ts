import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../runtime/resources/db.ts';
import { configDocuments } from './config-documents.ts';

/**
 * Replacing a document in a real (embedded) PostgreSQL with persist's own migration:
 * the row and its audit record go together or not at all.
 */
const migration = join(import.meta.dirname, '..', '..', 'functions', 'persist', 'migrations', '001_config.sql');
const rules = { flood: { maxRaisedPerMinute: 50 }, rules: [{ tagId: 'tubing_pressure', limits: { H: 1200 } }] };
let db: Db;

beforeAll(async () => {
  db = await openDb('memory://');
  await db.exec(readFileSync(migration, 'utf8'));
}, 60_000);
afterAll(async () => db?.close());

const stored = async (kind: string) =>
  (await db.query<{ document: unknown }>('SELECT document FROM flowline_config WHERE kind = $1', [kind])).rows[0]?.document;

describe('configuration documents in PostgreSQL', () => {
  const documents = () => configDocuments({ kind: 'postgres' }, db);

  it('says there is none yet, and how to store one (404)', async () => {
    await expect(documents().read('alarm-rules')).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('no "alarm-rules" row in flowline_config'),
    });
  });

  it('stores nothing when the audit record is not taken', async () => {
    const failing = documents().replace('alarm-rules', rules, async () => {
      throw new Error('the bus is away');
    });
    await expect(failing).rejects.toThrow('the bus is away');
    expect(await stored('alarm-rules')).toBeUndefined();
  });

  it('stores the document as sent, with its digest, and reads it back as the functions would', async () => {
    let audited: unknown;
    const version = await documents().replace('alarm-rules', rules, async (v) => {
      audited = v;
    });
    expect(version).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: JSON.stringify(rules).length });
    expect(audited).toEqual(version);
    expect(await stored('alarm-rules')).toEqual(rules);
    expect(await documents().read('alarm-rules')).toMatchObject({ flood: { maxRaisedPerMinute: 50 }, rules: [{ deadband: 0 }] });
  });
});

describe('configuration documents in files', () => {
  it('reads the folder’s YAML, and says what is wrong with a broken one (404 with its line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowline-config-'));
    writeFileSync(join(dir, 'tag-rules.yaml'), 'tags:\n  - { tagId: tubing_pressure, unit: psi }\n');
    writeFileSync(join(dir, 'alarm-rules.yaml'), 'rules:\n  - tagId: x\n    limits: { H: 1, HH: 0 }\n');
    const documents = configDocuments({ kind: 'files', dir }, undefined);
    expect(await documents.read('tag-rules')).toEqual({
      clock: { maxAheadSeconds: 300, maxBehindSeconds: 2_592_000 },
      tags: [{ tagId: 'tubing_pressure', unit: 'psi', devices: ['*'] }],
    });
    await expect(documents.read('alarm-rules')).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/alarm-rules\.yaml:3: rules\.0\.limits\.HH: HH \(0\) must be above H \(1\)/),
    });
  });
});
