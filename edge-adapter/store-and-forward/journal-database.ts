import { existsSync, mkdirSync, renameSync } from 'node:fs';
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
  CREATE TABLE IF NOT EXISTS minutes (seq INTEGER PRIMARY KEY AUTOINCREMENT, series INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, count INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, last REAL NOT NULL, worst_quality INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, key TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS handled_commands (id TEXT PRIMARY KEY, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS key_check (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL);
`;

/** A buffer file that could not be read at start, and where it went. */
export interface MovedAside {
  path: string;
  movedTo: string;
  reason: string;
}

/**
 * Opens the buffer file with the settings store-and-forward needs: WAL, the requested
 * sync level, an exclusive lock (one adapter per buffer), and the tables. A file SQLite
 * cannot read (truncated, overwritten, not a database) is moved aside and a fresh one
 * opened: an adapter that stops on a bad file stops reading the field too, and the data
 * it could still read is worth more than the samples that file held.
 */
export function openJournalDatabase(
  path: string,
  sync: 'full' | 'normal',
  now: () => Date = () => new Date(),
): { db: DatabaseSync; state: JournalState; movedAside?: MovedAside } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  try {
    return openChecked(path, sync);
  } catch (error) {
    if (!(error instanceof UnreadableBuffer) || path === ':memory:') throw error;
    const movedTo = `${path}.corrupt-${now().toISOString().replaceAll(':', '-')}`;
    // SQLite usually deletes a WAL it could not use when the failed connection closes; one it left
    // belongs to the bad file, and beside a fresh one it would be replayed into it.
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
    }
    const opened = openChecked(path, sync);
    opened.db.prepare("INSERT INTO counters (name, value) VALUES ('corrupt_files', 1)").run();
    opened.state.corruptFiles = 1;
    return { ...opened, movedAside: { path, movedTo, reason: error.message } };
  }
}

/** The file is there but is no readable buffer (SQLite: SQLITE_CORRUPT, SQLITE_NOTADB, or a failed quick_check). */
class UnreadableBuffer extends Error {}

// SQLITE_CORRUPT and SQLITE_NOTADB, the primary codes (the low byte of an extended one).
const unreadableCodes = new Set([11, 26]);

function openChecked(path: string, sync: 'full' | 'normal'): { db: DatabaseSync; state: JournalState } {
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
    // Pages a power cut or a truncation damaged are found now, not by the first send hours later.
    const check = db.prepare('PRAGMA quick_check(1)').get()?.quick_check;
    if (check !== 'ok') throw new UnreadableBuffer(`quick_check: ${String(check)}`);
    return { db, state: readJournalState(db) };
  } catch (error) {
    db.close();
    if (error instanceof UnreadableBuffer) throw error;
    const code = (error as { errcode?: unknown }).errcode;
    if (typeof code === 'number' && unreadableCodes.has(code & 0xff)) throw new UnreadableBuffer((error as Error).message);
    const busy = /locked|busy/i.test((error as Error).message);
    throw new Error(
      busy
        ? `the store-and-forward buffer ${path} is in use by another edge adapter process; give each adapter its own buffer.path`
        : `cannot open the store-and-forward buffer ${path}: ${(error as Error).message}`,
    );
  }
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
    deleteSampleRange: s('DELETE FROM samples WHERE seq > ? AND seq <= ?'),
    insertMinute: s(
      'INSERT INTO minutes (series, first_ts, last_ts, count, min, max, sum, last, worst_quality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    peekMinutes: s(
      'SELECT seq, series, first_ts, last_ts, count, min, max, sum, last, worst_quality FROM minutes WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    updateMinute: s(
      'UPDATE minutes SET first_ts = ?, last_ts = ?, count = ?, min = ?, max = ?, sum = ?, last = ?, worst_quality = ? WHERE seq = ?',
    ),
    ackMinutes: s('DELETE FROM minutes WHERE seq <= ?'),
    evictMinutes: s('DELETE FROM minutes WHERE seq IN (SELECT seq FROM minutes WHERE seq > ? ORDER BY seq LIMIT ?) RETURNING count'),
    oldestMinute: s('SELECT first_ts FROM minutes ORDER BY seq LIMIT 1'),
    insertEvent: s('INSERT INTO events (topic, key, id, time, data) VALUES (?, ?, ?, ?, ?)'),
    evictEvents: s('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)'),
    peekEvents: s('SELECT seq, topic, key, id, time, data FROM events ORDER BY seq LIMIT ?'),
    ackEvents: s('DELETE FROM events WHERE seq <= ?'),
    addCounter: s('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value'),
    rememberCommand: s('INSERT OR IGNORE INTO handled_commands (id, at) VALUES (?, ?)'),
    handledCommand: s('SELECT 1 AS yes FROM handled_commands WHERE id = ?'),
    forgetCommands: s('DELETE FROM handled_commands WHERE at < ?'),
    keyCheck: s('SELECT sealed FROM key_check WHERE id = 1'),
    setKeyCheck: s('INSERT OR REPLACE INTO key_check (id, sealed) VALUES (1, ?)'),
  };
}
export type JournalStatements = ReturnType<typeof prepareStatements>;

/** What the file holds: the series, how many samples, compacted minutes and events wait, what the bounds cost. */
export interface JournalState {
  series: Map<number, Series>;
  samples: number;
  minutes: number;
  events: number;
  dropped: number;
  /** Samples compacted into minutes since the file was created. */
  compacted: number;
  /** Unreadable buffer files moved aside at start (kept in the fresh file). */
  corruptFiles: number;
}

export function readJournalState(db: DatabaseSync): JournalState {
  const series = new Map<number, Series>();
  for (const row of db.prepare('SELECT id, device, tag, protocol FROM series').all()) {
    series.set(Number(row.id), { deviceId: String(row.device), tagId: String(row.tag), sourceProtocol: row.protocol as SourceProtocol });
  }
  const counter = (name: string) => Number(db.prepare('SELECT value FROM counters WHERE name = ?').get(name)?.value ?? 0);
  return {
    series,
    samples: Number(db.prepare('SELECT count(*) AS n FROM samples').get()?.n ?? 0),
    minutes: Number(db.prepare('SELECT count(*) AS n FROM minutes').get()?.n ?? 0),
    events: Number(db.prepare('SELECT count(*) AS n FROM events').get()?.n ?? 0),
    dropped: counter('dropped'),
    compacted: counter('compacted'),
    corruptFiles: counter('corrupt_files'),
  };
}
