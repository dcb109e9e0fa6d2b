import type { Logger } from 'pino';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import type { AppendResult, SampleJournal } from './sample-journal.ts';

export interface SampleIntakeOptions {
  journal: SampleJournal;
  log: Logger;
  /** After every append: what was kept and lost, and the samples themselves. */
  onAppended: (result: AppendResult, samples: readonly TelemetryRaw[]) => void;
  /** Samples that could not be written at all (disk full, I/O error). */
  onLost: (count: number, error: unknown) => void;
}

/**
 * The one door into the buffer. Batches pushed in the same turn of the event loop
 * (an OPC UA publish response fans out into one callback per item) are written in
 * one transaction, so a synced commit is paid per batch, not per sample.
 */
export class SampleIntake {
  private pending: TelemetryRaw[] = [];
  private scheduled = false;
  private readonly options: SampleIntakeOptions;

  constructor(options: SampleIntakeOptions) {
    this.options = options;
  }

  push(samples: readonly TelemetryRaw[]): void {
    if (samples.length === 0) return;
    for (const s of samples) this.pending.push(s);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is pending now. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    let result: AppendResult;
    try {
      result = this.options.journal.appendSamples(batch);
    } catch (error) {
      this.options.log.error({ err: error, lost: batch.length }, 'cannot write samples to the store-and-forward buffer; they are lost');
      this.options.onLost(batch.length, error);
      return;
    }
    this.options.onAppended(result, batch);
  }
}
