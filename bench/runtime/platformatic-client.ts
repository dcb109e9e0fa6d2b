import { randomUUID } from 'node:crypto';
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka';

/**
 * @platformatic/kafka (maintained, pure JavaScript) as the other candidate client, measured
 * beside kafkajs (unmaintained since 2023, patched here) doing the same bare work: the
 * runtime bench's consumer floor and the edge bench's producer floor. Not used by Flowline
 * itself; issue 14 asks which is faster, with figures.
 */

/** Reads `total` records of `topic` from the beginning with a fresh group, JSON.parse of each value; events/s. */
export async function platformaticConsumerRound(brokers: string, topic: string, total: number): Promise<number> {
  const consumer = new Consumer({
    groupId: `bench-platformatic-${randomUUID().slice(0, 8)}`,
    clientId: 'runtime-bench',
    bootstrapBrokers: [brokers],
    // Commits the last offset read every 100 ms, as often as the kafkajs floor commits per fetched batch.
    autocommit: 100,
    maxBytes: 1_048_576 * 3,
  });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    let seen = 0;
    let started = 0;
    const rate = await new Promise<number>((resolve, reject) => {
      stream.on('data', (message: { value: Buffer }) => {
        if (started === 0) started = performance.now();
        JSON.parse(message.value.toString('utf8'));
        seen += 1;
        if (seen === total) resolve(total / ((performance.now() - started) / 1000));
      });
      stream.on('error', reject);
    });
    await stream.close();
    return rate;
  } finally {
    await consumer.close(true);
  }
}

/** Sends `batch` again and again for `seconds` (acks all, idempotent, gzip, one request in flight); records/s. */
export async function platformaticProducerRound(
  brokers: string,
  topic: string,
  batch: readonly { key: Buffer | string; value: Buffer }[],
  seconds: number,
  gzip: boolean,
): Promise<number> {
  const producer = new Producer({ clientId: 'edge-bench', bootstrapBrokers: [brokers], idempotent: true });
  const messages = batch.map((m) => ({ topic, key: Buffer.from(m.key), value: m.value }));
  let sent = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < seconds * 1000) {
      await producer.send({ messages, acks: ProduceAcks.ALL, ...(gzip ? { compression: 'gzip' as const } : {}) });
      sent += messages.length;
    }
    return sent / ((performance.now() - started) / 1000);
  } finally {
    await producer.close();
  }
}
