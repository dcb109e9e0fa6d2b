import type { Message, Producer } from 'kafkajs';
import type { OutboundMessage } from '../../settle.ts';

/**
 * Coalesces concurrent sends into one produce request: kafkajs sends each `send()`
 * on its own, with no linger. A record waits at most `lingerMs`, or until
 * `maxRecords` are pending; every caller learns the fate of the request it rode in.
 */
export class BatchingProducer {
  private pending: { records: OutboundMessage[]; waiters: { resolve: () => void; reject: (e: unknown) => void }[] } = {
    records: [],
    waiters: [],
  };
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Set<Promise<void>>();
  private readonly producer: Producer;
  private readonly lingerMs: number;
  private readonly maxRecords: number;

  constructor(producer: Producer, options: { lingerMs: number; maxRecords?: number }) {
    this.producer = producer;
    this.lingerMs = options.lingerMs;
    this.maxRecords = options.maxRecords ?? 1_000;
  }

  send(records: OutboundMessage[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.records.push(...records);
      this.pending.waiters.push({ resolve, reject });
      if (this.pending.records.length >= this.maxRecords) this.flushNow();
      else this.timer ??= setTimeout(() => this.flushNow(), this.lingerMs);
    });
  }

  /** Sends what is pending and waits for every request in flight. */
  async flush(): Promise<void> {
    this.flushNow();
    await Promise.allSettled([...this.inFlight]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { records, waiters } = this.pending;
    if (records.length === 0) return;
    this.pending = { records: [], waiters: [] };
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({
        key: record.key ?? null,
        value:
          typeof record.value === 'string'
            ? record.value
            : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
        ...(record.headers ? { headers: record.headers } : {}),
      });
      byTopic.set(record.topic, messages);
    }
    const request = this.producer
      .sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
      .then(
        () => {
          for (const w of waiters) w.resolve();
        },
        (error: unknown) => {
          for (const w of waiters) w.reject(error);
        },
      );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }
}
