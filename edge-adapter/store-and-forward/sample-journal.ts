import type { DatabaseSync } from 'node:sqlite';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { CompactedMinutes, type JournaledMinute } from './compacted-minutes.ts';
import { BufferKeyError, JournalCipher, RowCodec } from './journal-cipher.ts';
import {
  type JournalState,
  type JournalStatements,
  type MovedAside,
  openJournalDatabase,
  prepareStatements,
  readJournalState,
  type Series,
} from './journal-database.ts';
import { type JournalEvent, JournalEvents, type JournaledEvent } from './journal-events.ts';
import type { StoredSample } from './minute-compaction.ts';

export type { JournaledMinute } from './compacted-minutes.ts';
export type { JournalEvent, JournaledEvent } from './journal-events.ts';

/**
 * compact: past the bound the oldest samples become one rollup per tag and minute (time
 * without a link is then bounded by `maxMinutes`, not by `maxSamples`); drop-oldest and
 * drop-newest lose samples at the bound instead.
 */
export type WhenFull = 'compact' | 'drop-oldest' | 'drop-newest';

export interface JournalOptions {
  /** A file, or ':memory:' for a buffer that ends with the process. */
  path: string;
  /** The bound, in samples. */
  maxSamples: number;
  whenFull: WhenFull;
  /** With `compact`: the bound of compacted tag-minutes, past which the oldest are dropped (and counted). */
  maxMinutes?: number;
  /** full: a committed sample survives a power cut; normal: it survives a crash of the process. */
  sync: 'full' | 'normal';
  /** The bound of the (rare) non-telemetry events: command results and audit records. */
  maxEvents?: number;
  /** 32 bytes: values, figures and events are sealed with it (journal-cipher.ts). Absent: kept plain. */
  key?: Buffer | undefined;
}

export interface JournaledSample {
  seq: number;
  sample: TelemetryRaw;
}

export interface AppendResult {
  stored: number;
  /** Samples compacted into minutes to make room (older ones, not necessarily of this batch). */
  compacted: number;
  dropped: number;
}

/**
 * Opens (creating if needed) the journal at `options.path`; fails when another adapter
 * holds it. An unreadable file is moved aside and a fresh one opened: `movedAside` says where.
 */
export function openSampleJournal(options: JournalOptions): SampleJournal {
  const { db, state, movedAside } = openJournalDatabase(options.path, options.sync);
  try {
    const statements = prepareStatements(db);
    const codec = new RowCodec(options.key ? new JournalCipher(options.key) : undefined);
    checkKey(options.path, statements, codec.cipher);
    return new SampleJournal(db, options, statements, state, codec, movedAside);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * A file written with a key opens only with that key: without it, or with another, nothing
 * it holds could be sent, and a new file in its place would lose it. Start-up stops instead,
 * saying what to do. A plain file given a key from now on is sealed from now on.
 */
function checkKey(path: string, statements: JournalStatements, cipher: JournalCipher | undefined): void {
  const sealed = statements.keyCheck.get()?.sealed;
  if (sealed instanceof Uint8Array) {
    if (!cipher)
      throw new BufferKeyError(
        `the store-and-forward buffer ${path} is encrypted and no key was given: set buffer.encryption (keyFile or keyEnv) to the key it was written with`,
      );
    if (!cipher.opensKeyCheck(sealed))
      throw new BufferKeyError(
        `the store-and-forward buffer ${path} was encrypted with another key: give the adapter the key it was written with (buffer.encryption); if that key is lost, what it holds is too: move the file aside to start a new buffer`,
      );
  } else if (cipher) {
    statements.setKeyCheck.run(cipher.keyCheck());
  }
}

/**
 * The store-and-forward buffer: every sample read is appended here first, in one
 * transaction per batch, and deleted only once the sink has acknowledged it. Samples
 * therefore survive a broker outage and a restart of the adapter, and leave in the
 * order they were read. The bound is explicit: past `maxSamples` the `whenFull`
 * policy compacts the oldest samples into minutes (which leave before the samples read
 * after them), or evicts the oldest, or refuses the newest; every sample lost to a
 * bound is counted (the counts survive restarts too).
 */
export class SampleJournal {
  readonly options: Required<Omit<JournalOptions, 'key'>>;
  private readonly db: DatabaseSync;
  private readonly seriesById = new Map<number, Series>();
  private readonly seriesByKey = new Map<string, number>();
  private readonly statements: JournalStatements;
  private readonly codec: RowCodec;
  private sampleDepth = 0;
  private readonly minutes: CompactedMinutes;
  private readonly events: JournalEvents;
  private droppedTotal = 0;
  private compactedTotal = 0;
  private corruptFileCount = 0;
  /** Samples up to this seq are being sent: eviction and compaction leave them alone, so none is both sent and counted lost. */
  private inFlightTo = 0;
  /** The unreadable file this journal replaced at open, if any. */
  readonly movedAside: MovedAside | undefined;

  constructor(
    db: DatabaseSync,
    options: JournalOptions,
    statements: JournalStatements,
    state: JournalState,
    codec: RowCodec,
    movedAside?: MovedAside,
  ) {
    this.db = db;
    this.options = { maxEvents: 100_000, maxMinutes: 10_000_000, ...options };
    this.statements = statements;
    this.codec = codec;
    this.movedAside = movedAside;
    this.minutes = new CompactedMinutes(statements, codec, (id) => this.seriesById.get(id), state.minutes);
    this.events = new JournalEvents(statements, codec, this.options.maxEvents, state.events);
    this.apply(state);
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  /** Samples waiting to be sent. */
  get depth(): number {
    return this.sampleDepth;
  }

  get pendingEvents(): number {
    return this.events.depth;
  }

  /** Compacted minutes waiting to be sent. */
  get pendingMinutes(): number {
    return this.minutes.depth;
  }

  /** Samples lost to a bound since the buffer was created. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Samples compacted into minutes since the buffer was created. */
  get compacted(): number {
    return this.compactedTotal;
  }

  /** Unreadable buffer files moved aside at start (the fresh file remembers how many). */
  get corruptFiles(): number {
    return this.corruptFileCount;
  }

  /** Appends samples in one transaction; returns how many were kept and how many the bound cost. */
  appendSamples(samples: readonly TelemetryRaw[]): AppendResult {
    if (samples.length === 0) return { stored: 0, compacted: 0, dropped: 0 };
    const max = this.options.maxSamples;
    let batch = samples;
    let dropped = 0;
    if (this.options.whenFull === 'drop-newest') {
      const room = Math.max(0, max - this.sampleDepth);
      if (room < batch.length) {
        dropped = batch.length - room;
        batch = batch.slice(0, room);
      }
    } else if (this.options.whenFull === 'drop-oldest' && batch.length > max) {
      dropped = batch.length - max;
      batch = batch.slice(dropped);
    }
    let compacted = 0;
    this.transaction(() => {
      for (const sample of batch) {
        const series = this.seriesId(sample);
        const [value, quality] = this.codec.sampleCells(series, sample.timestamp, sample.value, sample.quality);
        this.statements.insertSample.run(series, sample.timestamp, value, quality);
      }
      this.sampleDepth += batch.length;
      if (this.options.whenFull === 'drop-oldest' && this.sampleDepth > max) {
        const { changes } = this.statements.evictSamples.run(this.inFlightTo, this.sampleDepth - max);
        this.sampleDepth -= Number(changes);
        dropped += Number(changes);
      }
      if (this.options.whenFull === 'compact' && this.sampleDepth > max) {
        compacted = this.compactOldest(this.sampleDepth - max);
        dropped += this.minutes.evictOver(this.options.maxMinutes);
      }
      if (dropped > 0) this.countDropped(dropped);
    });
    return { stored: batch.length, compacted, dropped };
  }

  /**
   * Compacts at least `excess` of the oldest samples not in flight into minutes. A hundredth
   * of the bound at the least: a pass reads its rows and writes a piece per tag and minute,
   * which per batch would cost more than the batch itself.
   */
  private compactOldest(excess: number): number {
    const count = Math.max(excess, Math.ceil(this.options.maxSamples / 100));
    const rows: StoredSample[] = this.statements.peekSamples.all(this.inFlightTo, count).map((row) => ({
      seq: Number(row.seq),
      series: Number(row.series),
      ts: Number(row.ts),
      ...this.codec.sample(row),
    }));
    const lastSeq = rows.at(-1)?.seq;
    if (lastSeq === undefined) return 0;
    this.minutes.add(rows);
    this.statements.deleteSampleRange.run(this.inFlightTo, lastSeq);
    this.sampleDepth -= rows.length;
    this.statements.addCounter.run('compacted', rows.length);
    this.compactedTotal += rows.length;
    return rows.length;
  }

  /** The oldest compacted minutes, in the order their samples were read; they stay until acknowledged. */
  peekMinutes(limit: number): JournaledMinute[] {
    return this.minutes.peek(limit);
  }

  /** The sink has these minutes: forget them. */
  acknowledgeMinutes(upToSeq: number): void {
    this.minutes.acknowledge(upToSeq);
    if (this.sampleDepth === 0 && this.minutes.depth === 0) this.reclaimSpace();
  }

  /**
   * The oldest samples (after `afterSeq`, to look past a batch already being sent), in the
   * order they were read; they stay until acknowledged.
   */
  peekSamples(limit: number, afterSeq = 0): JournaledSample[] {
    const rows = this.statements.peekSamples.all(afterSeq, limit);
    const out: JournaledSample[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as { seq: number; series: number; ts: number; value: number | Uint8Array; quality: number };
      const series = this.seriesById.get(row.series);
      if (!series) throw new Error(`buffer row ${row.seq} names unknown series ${row.series}`);
      const { value, quality } = this.codec.sample(row);
      out[i] = {
        seq: row.seq,
        sample: {
          timestamp: row.ts,
          deviceId: series.deviceId,
          tagId: series.tagId,
          value,
          quality,
          sourceProtocol: series.sourceProtocol,
        },
      };
    }
    this.inFlightTo = out.at(-1)?.seq ?? this.inFlightTo;
    return out;
  }

  /** The sink has these samples: forget them. */
  acknowledgeSamples(upToSeq: number): void {
    const { changes } = this.statements.ackSamples.run(upToSeq);
    this.sampleDepth -= Number(changes);
    // A batch peeked beyond this one (encoded ahead) is still spoken for.
    if (this.inFlightTo <= upToSeq) this.inFlightTo = 0;
    if (this.sampleDepth === 0 && this.minutes.depth === 0) this.reclaimSpace();
  }

  /** A send failed: the peeked samples and minutes are no longer in flight (they will be peeked again). */
  release(): void {
    this.inFlightTo = 0;
    this.minutes.release();
  }

  appendEvent(event: JournalEvent): void {
    this.transaction(() => this.events.insert(event));
  }

  peekEvents(limit: number): JournaledEvent[] {
    return this.events.peek(limit);
  }

  acknowledgeEvents(upToSeq: number): void {
    this.events.acknowledge(upToSeq);
  }

  /** The read time of the oldest sample waiting, if any: how far behind the sink is. */
  oldestTimestamp(): number | undefined {
    // Minutes hold the oldest samples: compaction takes them from the front.
    const minute = this.statements.oldestMinute.get();
    if (minute) return Number(minute.first_ts);
    const row = this.statements.oldestSample.get();
    return row ? Number(row.ts) : undefined;
  }

  /** Whether a command was decided before (a redelivery from the commands topic). */
  hasHandledCommand(id: string): boolean {
    return this.events.hasHandledCommand(id);
  }

  /**
   * Records a decided command and the events that answer it, in one transaction: a
   * redelivered command is then either not yet answered (and decided again; setpoint
   * writes are idempotent) or answered exactly once. Ids are kept for `retainMs`.
   */
  recordCommand(id: string, now: number, events: readonly JournalEvent[], retainMs = 7 * 24 * 3600 * 1000): void {
    this.transaction(() => {
      this.events.rememberCommand(id, now);
      for (const event of events) this.events.insert(event);
    });
    // Housekeeping, now and then: ids old enough that no redelivery can still carry them.
    if (Math.random() < 0.01) this.events.forgetCommands(now - retainMs);
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
      id = Number(this.statements.insertSeries.run(sample.deviceId, sample.tagId, sample.sourceProtocol).lastInsertRowid);
      this.seriesByKey.set(key, id);
      this.seriesById.set(id, { deviceId: sample.deviceId, tagId: sample.tagId, sourceProtocol: sample.sourceProtocol });
    }
    return id;
  }

  private countDropped(n: number): void {
    this.statements.addCounter.run('dropped', n);
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
    this.apply(readJournalState(this.db));
  }

  private apply(state: JournalState): void {
    this.seriesById.clear();
    this.seriesByKey.clear();
    for (const [id, series] of state.series) {
      this.seriesById.set(id, series);
      this.seriesByKey.set(seriesKey(series), id);
    }
    this.sampleDepth = state.samples;
    this.minutes.reset(state.minutes);
    this.events.reset(state.events);
    this.droppedTotal = state.dropped;
    this.compactedTotal = state.compacted;
    this.corruptFileCount = state.corruptFiles;
  }
}

function seriesKey(s: { deviceId: string; tagId: string; sourceProtocol: string }): string {
  return `${s.deviceId}\u0000${s.tagId}\u0000${s.sourceProtocol}`;
}
