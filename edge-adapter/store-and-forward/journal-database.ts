import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SourceProtocol } from '../../contracts/telemetry.ts';

/** A device's tag: stored once, so that a buffered sample costs about 30 bytes on disk. */
export interface Series {
  deviceId: string;
  tagId: string;
  sourceProtocol: SourceProtocol;
}

const schema = `
  CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, tag TEXT NOT NULL, protocol TEXT NOT NULL, UNIQUE (device, tag, protocol));
  CREATE TABLE IF NOT EXISTS samples (seq INTEGER PRIMARY KEY AUTOINCREMENT, series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, quality INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS handled_commands (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
`;

/**
 * Opens the buffer file with the settings store-and-forward needs: WAL, the requested
 * sync level, an exclusive lock (one adapter per buffer), and the tables.
 */
export function openJournalDatabase(path: string, sync: 'full' | 'normal'): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: 2_000 });
  try {
    // Before any table exists, so that freed pages can be handed back to the file system.
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
    // One adapter per buffer: a second one fails here instead of interleaving replays.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN IMMEDIATE');
    db.exec(schema);
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    const busy = /locked|busy/i.test((error as Error).message);
    throw new Error(
      busy
        ? `the store-and-forward buffer ${path} is in use by another edge adapter process; give each adapter its own buffer.path`
        : `cannot open the store-and-forward buffer ${path}: ${(error as Error).message}`,
    );
  }
  return db;
}

export function prepareStatements(db: DatabaseSync) {
  const s = (sql: string) => db.prepare(sql);
  return {
    insertSample: s('INSERT INTO samples (series, ts, value, quality) VALUES (?, ?, ?, ?)'),
    insertSeries: s('INSERT INTO series (device, tag, protocol) VALUES (?, ?, ?)'),
    evictSamples: s('DELETE FROM samples WHERE seq IN (SELECT seq FROM samples WHERE seq > ? ORDER BY seq LIMIT ?)'),
    peekSamples: s('SELECT seq, series, ts, value, quality FROM samples WHERE seq > ? ORDER BY seq LIMIT ?'),
    ackSamples: s('DELETE FROM samples WHERE seq <= ?'),
    oldestSample: s('SELECT ts FROM samples ORDER BY seq LIMIT 1'),
    insertEvent: s('INSERT INTO events (topic, key, id, time, data) VALUES (?, ?, ?, ?, ?)'),
    evictEvents: s('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)'),
    peekEvents: s('SELECT seq, topic, key, id, time, data FROM events ORDER BY seq LIMIT ?'),
    ackEvents: s('DELETE FROM events WHERE seq <= ?'),
    addCounter: s('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value'),
    rememberCommand: s('INSERT OR IGNORE INTO handled_commands (id, at) VALUES (?, ?)'),
    handledCommand: s('SELECT 1 AS yes FROM handled_commands WHERE id = ?'),
    forgetCommands: s('DELETE FROM handled_commands WHERE at < ?'),
  };
}
export type JournalStatements = ReturnType<typeof prepareStatements>;

/** What the file holds: the series, how many samples and events wait, how many the bound cost. */
export interface JournalState {
  series: Map<number, Series>;
  samples: number;
  events: number;
  dropped: number;
}

export function readJournalState(db: DatabaseSync): JournalState {
  const series = new Map<number, Series>();
  for (const row of db.prepare('SELECT id, device, tag, protocol FROM series').all()) {
    series.set(Number(row.id), { deviceId: String(row.device), tagId: String(row.tag), sourceProtocol: row.protocol as SourceProtocol });
  }
  return {
    series,
    samples: Number(db.prepare('SELECT count(*) AS n FROM samples').get()?.n ?? 0),
    events: Number(db.prepare('SELECT count(*) AS n FROM events').get()?.n ?? 0),
    dropped: Number(db.prepare("SELECT value FROM counters WHERE name = 'dropped'").get()?.value ?? 0),
  };
}
