import type { Logger } from 'pino';
import { createEvent, encodeEvent } from '../../runtime/envelope.ts';
import { compactedMinuteRecord } from '../samples/compacted-minute-record.ts';
import { telemetryRecord } from '../samples/telemetry-record.ts';
import { traceparents } from '../samples/trace-ids.ts';
import type { Sink, SinkRecord } from '../sinks/sink.ts';
import type { JournaledSample, SampleJournal } from './sample-journal.ts';

/** A batch of samples read from the buffer and encoded, ready to send. */
interface PreparedBatch {
  lastSeq: number;
  count: number;
  records: SinkRecord[];
}

export type LinkState = 'connecting' | 'connected' | 'unreachable';

export interface ForwarderStatus {
  sink: string;
  state: LinkState;
  lastSuccessAt: number | undefined;
  lastError: string | undefined;
  /** Samples the sink acknowledged since start. */
  forwarded: number;
}

export interface ForwarderOptions {
  journal: SampleJournal;
  sink: Sink;
  log: Logger;
  telemetryTopic: string;
  /** Where minutes compacted during a long outage go. */
  compactedTopic: string;
  source: string;
  maxBatch: number;
  lingerMs: number;
  /** Back-off after a failed send: doubles from `minRetryMs` up to `maxRetryMs`. */
  minRetryMs?: number;
  maxRetryMs?: number;
  /** A send unanswered this long makes the link count as unreachable. */
  stallMs?: number;
  /** Samples sent raw, compacted minutes, and other events the sink acknowledged. */
  onForwarded?: (samples: number, events: number, minutes: number) => void;
  onFailure?: (error: unknown) => void;
}

/**
 * Drains the buffer into the sink, oldest first, one batch at a time: a batch is
 * deleted from the buffer only after the sink acknowledged it, and the next batch is
 * not sent before that, so what was buffered during an outage always goes out before
 * what was read after it. Events (command results, audit records) go before samples;
 * compacted minutes go before the samples read after them.
 */
export class Forwarder {
  private readonly options: Required<Omit<ForwarderOptions, 'onForwarded' | 'onFailure'>> &
    Pick<ForwarderOptions, 'onForwarded' | 'onFailure'>;
  private readonly status: ForwarderStatus;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private sleeping: NodeJS.Timeout | undefined;
  private drainUntil = 0;
  private sendingSince: number | undefined;
  /** The next batch, encoded while the previous one was in flight. */
  private prepared: PreparedBatch | undefined;

  constructor(options: ForwarderOptions) {
    this.options = { minRetryMs: 500, maxRetryMs: 15_000, stallMs: 10_000, ...options };
    this.status = { sink: options.sink.kind, state: 'connecting', lastSuccessAt: undefined, lastError: undefined, forwarded: 0 };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New data is in the buffer. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * The link as an operator needs it: a send still unanswered after `stallMs` (the client
   * retrying inside, the broker silent) is reported unreachable, not "connecting".
   */
  snapshot(): ForwarderStatus {
    const waited = this.sendingSince === undefined ? 0 : Date.now() - this.sendingSince;
    if (waited > this.options.stallMs && this.status.state !== 'unreachable') {
      return {
        ...this.status,
        state: 'unreachable',
        lastError: `no answer from the ${this.status.sink} sink for ${Math.round(waited / 1000)} s`,
      };
    }
    return { ...this.status };
  }

  /**
   * Stops: while the sink is reachable, what is still buffered keeps going out for up to
   * `graceMs` (a clean shutdown leaves nothing behind); what is left stays in the buffer
   * for the next start.
   */
  async stop(graceMs = 5_000): Promise<void> {
    // With the link down there is nothing to finish: the buffer keeps it all for the next start.
    const wait = this.snapshot().state === 'connected' ? graceMs : 0;
    this.drainUntil = Date.now() + wait;
    this.running = false;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, wait)))]);
    clearTimeout(timer);
  }

  /** After stop: keep sending while there is something to send, time left, and a sink that answers. */
  private draining(): boolean {
    const { journal } = this.options;
    return (
      Date.now() < this.drainUntil &&
      this.status.state === 'connected' &&
      journal.isOpen &&
      (journal.depth > 0 || journal.pendingEvents > 0 || journal.pendingMinutes > 0)
    );
  }

  private async run(): Promise<void> {
    const { journal, lingerMs, maxBatch } = this.options;
    let retryMs = this.options.minRetryMs;
    while (this.running || this.draining()) {
      if (journal.depth === 0 && journal.pendingEvents === 0 && journal.pendingMinutes === 0) {
        await this.pause(60_000);
        continue;
      }
      // Let a fresh trickle of samples gather into one request; a backlog goes at once.
      if (this.running && lingerMs > 0 && journal.depth < maxBatch && journal.pendingEvents === 0) await this.pause(lingerMs, false);
      if (await this.sendOnce()) {
        retryMs = this.options.minRetryMs;
      } else if (this.running) {
        await this.pause(retryMs, false);
        retryMs = Math.min(retryMs * 2, this.options.maxRetryMs);
      }
    }
  }

  private async sendOnce(): Promise<boolean> {
    const { journal, sink, maxBatch } = this.options;
    const events = journal.peekEvents(maxBatch);
    if (events.length > 0) {
      this.prepared = undefined; // re-peeked after the events, in order
      journal.release();
      return this.send(this.encodeEvents(events), () => journal.acknowledgeEvents(events.at(-1)?.seq ?? 0), { events: events.length });
    }
    // A batch encoded ahead holds samples older than any minute compacted since: it goes first.
    if (!this.prepared && journal.pendingMinutes > 0) return this.sendMinutes();
    let batch: PreparedBatch | undefined;
    try {
      batch = this.prepared ?? this.prepare(0);
    } catch (error) {
      return this.unencodable(error);
    }
    this.prepared = undefined;
    if (!batch) return true;
    const current = batch;
    const sending = sink.send(current.records);
    // While the sink works on this batch, encode the next: the CPU is free until it answers.
    // Not past pending minutes: their samples were read before anything peeked now.
    try {
      this.prepared = journal.pendingMinutes > 0 ? undefined : this.prepare(current.lastSeq);
    } catch {
      this.prepared = undefined; // encoded again, and reported, on its own turn
    }
    return this.send(sending, () => journal.acknowledgeSamples(current.lastSeq), { samples: current.count });
  }

  private async sendMinutes(): Promise<boolean> {
    const { journal, maxBatch, compactedTopic, source } = this.options;
    let records: SinkRecord[];
    let lastSeq: number;
    try {
      const rows = journal.peekMinutes(maxBatch);
      const traces = traceparents(rows.length);
      records = rows.map((row, i) => compactedMinuteRecord(row.minute, compactedTopic, source, traces[i]));
      lastSeq = rows.at(-1)?.seq ?? 0;
    } catch (error) {
      return this.unencodable(error);
    }
    return this.send(records, () => journal.acknowledgeMinutes(lastSeq), { minutes: records.length });
  }

  /** Reads and encodes up to maxBatch samples after `afterSeq`; undefined when there are none. */
  private prepare(afterSeq: number): PreparedBatch | undefined {
    const { journal, maxBatch, telemetryTopic, source } = this.options;
    const rows: JournaledSample[] = journal.peekSamples(maxBatch, afterSeq);
    if (rows.length === 0) return undefined;
    const traces = traceparents(rows.length);
    return {
      lastSeq: rows.at(-1)?.seq ?? afterSeq,
      count: rows.length,
      records: rows.map((row, i) => telemetryRecord(row.sample, telemetryTopic, source, traces[i])),
    };
  }

  private encodeEvents(events: ReturnType<SampleJournal['peekEvents']>): SinkRecord[] {
    const { source } = this.options;
    return events.map((e) => ({
      topic: e.topic,
      key: e.key,
      value: encodeEvent(createEvent({ id: e.id, source, type: e.topic, time: new Date(e.time), data: e.data, partitionkey: e.key })),
    }));
  }

  private async send(
    request: SinkRecord[] | Promise<void>,
    acknowledge: () => void,
    { samples = 0, events = 0, minutes = 0 }: { samples?: number; events?: number; minutes?: number },
  ): Promise<boolean> {
    const { journal, sink } = this.options;
    this.sendingSince = Date.now();
    try {
      await (Array.isArray(request) ? sink.send(request) : request);
    } catch (error) {
      this.sendingSince = undefined;
      this.prepared = undefined;
      if (journal.isOpen) journal.release();
      this.fail(error);
      return false;
    }
    this.sendingSince = undefined;
    // Stopped while this send was out: the rows stay in the file and go again next start.
    if (!journal.isOpen) return false;
    acknowledge();
    if (this.status.state !== 'connected') this.options.log.info({ sink: sink.kind, backlog: journal.depth }, 'sink reachable; forwarding');
    this.status.state = 'connected';
    this.status.lastSuccessAt = Date.now();
    this.status.lastError = undefined;
    this.status.forwarded += samples;
    this.options.onForwarded?.(samples, events, minutes);
    return true;
  }

  /** A row that cannot be encoded would block the buffer forever: it is a bug, say so loudly. */
  private unencodable(error: unknown): boolean {
    this.options.journal.release();
    this.options.log.error({ err: error }, 'a buffered record cannot be encoded; it stays in the buffer');
    this.fail(error);
    return false;
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.status.state !== 'unreachable') {
      this.options.log.warn(
        { err: error, backlog: this.options.journal.depth },
        'sink unreachable; samples stay in the store-and-forward buffer',
      );
    }
    this.status.state = 'unreachable';
    this.status.lastError = message;
    this.options.onFailure?.(error);
  }

  /** Sleeps `ms`, or until woken when `wakeable`; always returns promptly on stop. */
  private pause(ms: number, wakeable = true): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(this.sleeping);
        this.sleeping = undefined;
        this.wakeUp = undefined;
        resolve();
      };
      this.sleeping = setTimeout(done, ms);
      this.wakeUp = wakeable ? done : () => (this.running ? undefined : done());
    });
  }
}
