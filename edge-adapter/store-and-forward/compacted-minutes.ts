import type { CompactedMinute } from '../../contracts/compacted-minute.ts';
import { minuteOf } from '../../contracts/compacted-minute.ts';
import type { RowCodec } from './journal-cipher.ts';
import type { JournalStatements, Series } from './journal-database.ts';
import { compactMinutes, type MinutePiece, mergePieces, type StoredSample } from './minute-compaction.ts';

export interface JournaledMinute {
  seq: number;
  minute: CompactedMinute;
}

/**
 * The buffer's compacted minutes (its `minutes` table): written by compaction inside the
 * journal's transactions, read and acknowledged by the forwarder like samples.
 *
 * A minute that straddles two compaction passes is merged into the piece the first pass
 * wrote, as long as that piece was never handed to the sink: a piece that may be in Kafka
 * must not change under its event id. Which pieces are still open is known only to this
 * process, so after a restart the boundary minutes of each series start a new piece
 * (pieces cover disjoint samples and add up downstream).
 */
export class CompactedMinutes {
  private readonly statements: JournalStatements;
  private readonly codec: RowCodec;
  private readonly seriesOf: (id: number) => Series | undefined;
  private count: number;
  /** Per series, the newest piece written and never peeked: the one a next pass may extend. */
  private readonly open = new Map<number, { seq: number; piece: MinutePiece }>();
  /** Minutes up to this seq are being sent: the second bound leaves them alone. */
  private inFlightTo = 0;
  /** The highest seq ever peeked in this process, failed sends included: never merged into. */
  private peekedTo = 0;

  constructor(statements: JournalStatements, codec: RowCodec, seriesOf: (id: number) => Series | undefined, depth: number) {
    this.statements = statements;
    this.codec = codec;
    this.seriesOf = seriesOf;
    this.count = depth;
  }

  /** Minutes waiting to be sent. */
  get depth(): number {
    return this.count;
  }

  /** Compacts samples (the oldest of the buffer, in the order read) into minutes; the caller deletes the samples. */
  add(samples: readonly StoredSample[]): void {
    for (const piece of compactMinutes(samples)) {
      const open = this.open.get(piece.series);
      if (open && open.seq > this.peekedTo && minuteOf(open.piece.firstTs) === minuteOf(piece.firstTs)) {
        const merged = mergePieces(open.piece, piece);
        const { changes } = this.statements.updateMinute.run(
          merged.firstTs,
          merged.lastTs,
          merged.count,
          ...this.codec.minuteCells(piece.series, merged.firstTs, merged),
          open.seq,
        );
        // Gone to the second bound since: the piece starts again.
        if (Number(changes) === 1) {
          open.piece = merged;
          continue;
        }
      }
      const { lastInsertRowid } = this.statements.insertMinute.run(
        piece.series,
        piece.firstTs,
        piece.lastTs,
        piece.count,
        ...this.codec.minuteCells(piece.series, piece.firstTs, piece),
      );
      this.open.set(piece.series, { seq: Number(lastInsertRowid), piece });
      this.count += 1;
    }
  }

  /** Past `max` minutes the oldest not in flight go; returns the samples they stood for. */
  evictOver(max: number): number {
    const over = this.count - max;
    if (over <= 0) return 0;
    const evicted = this.statements.evictMinutes.all(this.inFlightTo, over);
    this.count -= evicted.length;
    return evicted.reduce((n, row) => n + Number(row.count), 0);
  }

  /** The oldest minutes, in the order their samples were read; they stay until acknowledged. */
  peek(limit: number): JournaledMinute[] {
    const out = this.statements.peekMinutes.all(0, limit).map((row) => {
      const series = this.seriesOf(Number(row.series));
      if (!series) throw new Error(`buffer minute ${row.seq} names unknown series ${row.series}`);
      const figures = this.codec.minute(row);
      return {
        seq: Number(row.seq),
        minute: {
          deviceId: series.deviceId,
          tagId: series.tagId,
          sourceProtocol: series.sourceProtocol,
          firstTimestamp: Number(row.first_ts),
          lastTimestamp: Number(row.last_ts),
          count: Number(row.count),
          ...figures,
        },
      };
    });
    const last = out.at(-1)?.seq;
    if (last !== undefined) {
      this.inFlightTo = last;
      this.peekedTo = Math.max(this.peekedTo, last);
    }
    return out;
  }

  /** The sink has these minutes: forget them. */
  acknowledge(upToSeq: number): void {
    const { changes } = this.statements.ackMinutes.run(upToSeq);
    this.count -= Number(changes);
    if (this.inFlightTo <= upToSeq) this.inFlightTo = 0;
  }

  /** A send failed: the peeked minutes are no longer in flight, but stay closed to merging. */
  release(): void {
    this.inFlightTo = 0;
  }

  /** After a rolled-back transaction: the file's count, and no piece trusted open. */
  reset(depth: number): void {
    this.count = depth;
    this.open.clear();
  }
}
