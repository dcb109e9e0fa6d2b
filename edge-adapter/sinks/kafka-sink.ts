import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Sink, SinkRecord } from './sink.ts';

export interface KafkaSinkOptions {
  kafka: Kafka;
  compression: 'none' | 'gzip';
  log: Logger;
  /** Consecutive failed sends after which the producer is replaced by a fresh one. */
  resetAfterFailures?: number;
}

/**
 * Kafka through one idempotent producer: acks from all in-sync replicas, key = device id
 * (murmur2, as the Java client partitions), one produce request per batch.
 *
 * Retries inside kafkajs are bounded on purpose: a send that cannot complete fails,
 * so the forwarder can report the link as down and try again later, while the samples
 * wait in the store-and-forward buffer. A retried batch may then arrive twice;
 * consumers deduplicate on the natural key (device, tag, timestamp) or the event id,
 * which is derived from it.
 */
export function kafkaSink(options: KafkaSinkOptions): Sink {
  const { kafka, log } = options;
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const resetAfter = options.resetAfterFailures ?? 3;
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let failures = 0;

  const connect = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= (async () => {
      const fresh = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // The broker decides (production clusters disable auto-creation; the local one allows it).
        allowAutoTopicCreation: true,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 6 },
      });
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => {});
        throw error;
      }
      producer = fresh;
      return fresh;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const reset = async () => {
    const old = producer;
    producer = undefined;
    await old?.disconnect().catch(() => {});
  };

  return {
    kind: 'kafka',
    async send(records: readonly SinkRecord[]) {
      if (records.length === 0) return;
      try {
        const p = await connect();
        const byTopic = new Map<string, { key: string; value: Buffer | string; headers?: Record<string, string> }[]>();
        for (const r of records) {
          const messages = byTopic.get(r.topic) ?? [];
          messages.push({
            key: r.key,
            value: typeof r.value === 'string' ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
            ...(r.headers ? { headers: r.headers } : {}),
          });
          byTopic.set(r.topic, messages);
        }
        await p.sendBatch({ acks: -1, compression, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
        failures = 0;
      } catch (error) {
        failures += 1;
        // A producer that failed several times in a row may hold a broken connection or a
        // fenced producer id; a fresh one costs a reconnect, nothing more.
        if (failures >= resetAfter) {
          log.warn({ err: error, failures }, 'replacing the Kafka producer after repeated failures');
          failures = 0;
          await reset();
        }
        throw error;
      }
    },
    async close() {
      await connecting?.catch(() => {});
      await reset();
    },
  };
}
