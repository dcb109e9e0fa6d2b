import type { RowCodec } from './journal-cipher.ts';
import type { JournalStatements } from './journal-database.ts';

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

/**
 * The buffer's other events (command results, audit records: its `events` table) and the
 * ids of the commands already decided. Written inside the journal's transactions, so a
 * decided command and its answers are kept together or not at all.
 */
export class JournalEvents {
  private readonly statements: JournalStatements;
  private readonly codec: RowCodec;
  private readonly max: number;
  private count: number;

  constructor(statements: JournalStatements, codec: RowCodec, max: number, depth: number) {
    this.statements = statements;
    this.codec = codec;
    this.max = max;
    this.count = depth;
  }

  /** Events waiting to be sent. */
  get depth(): number {
    return this.count;
  }

  /** Inside a transaction: appends one, and past the bound forgets the oldest (counted as dropped_events). */
  insert(event: JournalEvent): void {
    const data = this.codec.eventCell(event.time, JSON.stringify(event.data));
    this.statements.insertEvent.run(event.topic, event.key, event.id, event.time, data);
    this.count += 1;
    if (this.count > this.max) {
      const { changes } = this.statements.evictEvents.run(this.count - this.max);
      this.count -= Number(changes);
      this.statements.addCounter.run('dropped_events', Number(changes));
    }
  }

  peek(limit: number): JournaledEvent[] {
    return this.statements.peekEvents.all(limit).map((row) => ({
      seq: Number(row.seq),
      topic: String(row.topic),
      key: String(row.key),
      id: String(row.id),
      time: Number(row.time),
      data: JSON.parse(this.codec.eventJson(row)),
    }));
  }

  acknowledge(upToSeq: number): void {
    const { changes } = this.statements.ackEvents.run(upToSeq);
    this.count -= Number(changes);
  }

  /** Whether a command was decided before (a redelivery from the commands topic). */
  hasHandledCommand(id: string): boolean {
    return this.statements.handledCommand.get(id) !== undefined;
  }

  /** Inside a transaction: remembers a decided command. */
  rememberCommand(id: string, now: number): void {
    this.statements.rememberCommand.run(id, now);
  }

  /** Forgets command ids decided before `before`: no redelivery can still carry them. */
  forgetCommands(before: number): void {
    this.statements.forgetCommands.run(before);
  }

  /** After a rolled-back transaction: the file's count. */
  reset(depth: number): void {
    this.count = depth;
  }
}
