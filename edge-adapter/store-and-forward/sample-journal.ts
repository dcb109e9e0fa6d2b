import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { SourceProtocol, TelemetryRaw } from '../../contracts/telemetry.ts';

export type WhenFull = 'drop-oldest' | 'drop-newest';

export interface JournalOptions {
  /** A file, or ':memory:' for a buffer that ends with the process. */
  path: string;
  /** The bound, in samples. */
  maxSamples: number;
  whenFull: WhenFull;
  /** full: a committed sample survives a power cut; normal: it survives a crash of the process. */
  sync: 'full' | 'normal';
  /** The bound of the (rare) non-telemetry events: command results and audit records. */
  maxEvents?: number;
}

export interface JournaledSample {
  seq: number;
  sample: TelemetryRaw;
}

/** An event other than a sample, journaled as its CloudEvent parts. */
export interface JournalEvent {
  topic: string;
  key: string;
  id: string;
  time: number;
  data: unknown;
}

export interface JournaledEvent extends JournalEvent {
  seq: number;
}

export interface AppendResult {
  stored: number;
  dropped: number;
}

interface Series {
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

/** Opens (creating if needed) the journal at `options.path`; fails when another adapter holds it. */
export function openSampleJournal(options: JournalOptions): SampleJournal {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new DatabaseSync(options.path, { timeout: 2_000 });
  try {
    // Before any table exists, so that freed pages can be handed back to the file system.
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
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
        ? `the store-and-forward buffer ${options.path} is in use by another edge adapter process; give each adapter its own buffer.path`
        : `cannot open the store-and-forward buffer ${options.path}: ${(error as Error).message}`,
    );
  }
  return new SampleJournal(db, options);
}

/**
 * The store-and-forward buffer: every sample read is appended here first, in one
 * transaction per batch, and deleted only once the sink has acknowledged it. Samples
 * therefore survive a broker outage and a restart of the adapter, and leave in the
 * order they were read. The bound is explicit: past `maxSamples` the `whenFull`
 * policy evicts the oldest or refuses the newest, and counts every sample it loses
 * (the count survives restarts too).
 */
export class SampleJournal {
  readonly options: Required<JournalOptions>;
  private readonly db: DatabaseSync;
  private readonly seriesById = new Map<number, Series>();
  private readonly seriesByKey = new Map<string, number>();
  private readonly statements: Record<string, StatementSync>;
  private sampleDepth: number;
  private eventDepth: number;
  private droppedTotal: number;
  /** Samples up to this seq are being sent: eviction leaves them alone so no sample is both sent and counted lost. */
  private inFlightTo = 0;

  constructor(db: DatabaseSync, options: JournalOptions) {
    this.db = db;
    this.options = { maxEvents: 100_000, ...options };
    const s = (sql: string) => db.prepare(sql);
    this.statements = {
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
    this.sampleDepth = 0;
    this.eventDepth = 0;
    this.droppedTotal = 0;
    this.reload();
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** Samples waiting to be sent. */
  get depth(): number {
    return this.sampleDepth;
  }

  get pendingEvents(): number {
    return this.eventDepth;
  }

  /** Samples lost to the bound since the buffer was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Appends samples in one transaction; returns how many were kept and how many the bound cost. */
  appendSamples(samples: readonly TelemetryRaw[]): AppendResult {
    if (samples.length === 0) return { stored: 0, dropped: 0 };
    const max = this.options.maxSamples;
    let batch = samples;
    let dropped = 0;
    if (this.options.whenFull === 'drop-newest') {
      const room = Math.max(0, max - this.sampleDepth);
      if (room < batch.length) {
        dropped = batch.length - room;
        batch = batch.slice(0, room);
      }
    } else if (batch.length > max) {
      dropped = batch.length - max;
      batch = batch.slice(dropped);
    }
    this.transaction(() => {
      for (const sample of batch) {
        this.statements.insertSample?.run(this.seriesId(sample), sample.timestamp, sample.value, sample.quality);
      }
      this.sampleDepth += batch.length;
      if (this.options.whenFull === 'drop-oldest' && this.sampleDepth > max) {
        const { changes } = this.statements.evictSamples?.run(this.inFlightTo, this.sampleDepth - max) ?? { changes: 0 };
        this.sampleDepth -= Number(changes);
        dropped += Number(changes);
      }
      if (dropped > 0) this.countDropped(dropped);
    });
    return { stored: batch.length, dropped };
  }

  /**
   * The oldest samples (after `afterSeq`, to look past a batch already being sent), in the
   * order they were read; they stay until acknowledged.
   */
  peekSamples(limit: number, afterSeq = 0): JournaledSample[] {
    const rows = this.statements.peekSamples?.all(afterSeq, limit) ?? [];
    const out: JournaledSample[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as { seq: number; series: number; ts: number; value: number; quality: number };
      const series = this.seriesById.get(row.series);
      if (!series) throw new Error(`buffer row ${row.seq} names unknown series ${row.series}`);
      out[i] = {
        seq: row.seq,
        sample: {
          timestamp: row.ts,
          deviceId: series.deviceId,
          tagId: series.tagId,
          value: row.value,
          quality: row.quality,
          sourceProtocol: series.sourceProtocol,
        },
      };
    }
    this.inFlightTo = out.at(-1)?.seq ?? this.inFlightTo;
    return out;
  }

  /** The sink has these samples: forget them. */
  acknowledgeSamples(upToSeq: number): void {
    const { changes } = this.statements.ackSamples?.run(upToSeq) ?? { changes: 0 };
    this.sampleDepth -= Number(changes);
    // A batch peeked beyond this one (encoded ahead) is still spoken for.
    if (this.inFlightTo <= upToSeq) this.inFlightTo = 0;
    if (this.sampleDepth === 0) this.reclaimSpace();
  }

  /** A send failed: the peeked samples are no longer in flight (they will be peeked again). */
  release(): void {
    this.inFlightTo = 0;
  }

  appendEvent(event: JournalEvent): void {
    this.transaction(() => this.insertEvent(event));
  }

  private insertEvent(event: JournalEvent): void {
    this.statements.insertEvent?.run(event.topic, event.key, event.id, event.time, JSON.stringify(event.data));
    this.eventDepth += 1;
    if (this.eventDepth > this.options.maxEvents) {
      const { changes } = this.statements.evictEvents?.run(this.eventDepth - this.options.maxEvents) ?? { changes: 0 };
      this.eventDepth -= Number(changes);
      this.statements.addCounter?.run('dropped_events', Number(changes));
    }
  }

  peekEvents(limit: number): JournaledEvent[] {
    return (this.statements.peekEvents?.all(limit) ?? []).map((row) => ({
      seq: Number(row.seq),
      topic: String(row.topic),
      key: String(row.key),
      id: String(row.id),
      time: Number(row.time),
      data: JSON.parse(String(row.data)),
    }));
  }

  acknowledgeEvents(upToSeq: number): void {
    const { changes } = this.statements.ackEvents?.run(upToSeq) ?? { changes: 0 };
    this.eventDepth -= Number(changes);
  }

  /** The read time of the oldest sample waiting, if any: how far behind the sink is. */
  oldestTimestamp(): number | undefined {
    const row = this.statements.oldestSample?.get();
    return row ? Number(row.ts) : undefined;
  }

  /** Whether a command was decided before (a redelivery from the commands topic). */
  hasHandledCommand(id: string): boolean {
    return this.statements.handledCommand?.get(id) !== undefined;
  }

  /**
   * Records a decided command and the events that answer it, in one transaction: a
   * redelivered command is then either not yet answered (and decided again; setpoint
   * writes are idempotent) or answered exactly once. Ids are kept for `retainMs`.
   */
  recordCommand(id: string, now: number, events: readonly JournalEvent[], retainMs = 7 * 24 * 3600 * 1000): void {
    this.transaction(() => {
      this.statements.rememberCommand?.run(id, now);
      for (const event of events) this.insertEvent(event);
    });
    // Housekeeping, now and then: ids old enough that no redelivery can still carry them.
    if (Math.random() < 0.01) this.statements.forgetCommands?.run(now - retainMs);
  }

  /** Bytes the buffer occupies on disk (its pages). */
  sizeBytes(): number {
    const pages = Number(this.db.prepare('PRAGMA page_count').get()?.page_count ?? 0);
    const size = Number(this.db.prepare('PRAGMA page_size').get()?.page_size ?? 0);
    return pages * size;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private seriesId(sample: TelemetryRaw): number {
    const key = seriesKey(sample);
    let id = this.seriesByKey.get(key);
    if (id === undefined) {
      id = Number(this.statements.insertSeries?.run(sample.deviceId, sample.tagId, sample.sourceProtocol).lastInsertRowid);
      this.seriesByKey.set(key, id);
      this.seriesById.set(id, { deviceId: sample.deviceId, tagId: sample.tagId, sourceProtocol: sample.sourceProtocol });
    }
    return id;
  }

  private countDropped(n: number): void {
    this.statements.addCounter?.run('dropped', n);
    this.droppedTotal += n;
  }

  private reclaimSpace(): void {
    const free = Number(this.db.prepare('PRAGMA freelist_count').get()?.freelist_count ?? 0);
    // Give a drained outage's pages back to the disk, a few MB at a time.
    if (free > 1024) this.db.exec('PRAGMA incremental_vacuum(1024)');
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      this.reload();
      throw error;
    }
  }

  /** After a rolled-back transaction (disk full, I/O error): trust the file, not the counters. */
  private reload(): void {
    this.seriesById.clear();
    this.seriesByKey.clear();
    for (const row of this.db.prepare('SELECT id, device, tag, protocol FROM series').all()) {
      const series = { deviceId: String(row.device), tagId: String(row.tag), sourceProtocol: row.protocol as SourceProtocol };
      this.seriesById.set(Number(row.id), series);
      this.seriesByKey.set(seriesKey(series), Number(row.id));
    }
    this.sampleDepth = Number(this.db.prepare('SELECT count(*) AS n FROM samples').get()?.n ?? 0);
    this.eventDepth = Number(this.db.prepare('SELECT count(*) AS n FROM events').get()?.n ?? 0);
    this.droppedTotal = Number(this.db.prepare("SELECT value FROM counters WHERE name = 'dropped'").get()?.value ?? 0);
  }
}

function seriesKey(s: { deviceId: string; tagId: string; sourceProtocol: string }): string {
  return `${s.deviceId}\u0000${s.tagId}\u0000${s.sourceProtocol}`;
}
