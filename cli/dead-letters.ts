import { type Kafka, Partitioners } from 'kafkajs';
import { deadLetterHeader } from '../runtime/dead-letter.ts';
import { deadLetterTopicOf } from '../runtime/topics.ts';

export interface DeadLetterView {
  partition: number;
  offset: string;
  key: string | undefined;
  headers: Record<string, string>;
  value: Buffer | null;
}

/**
 * Reads `<topic>.dlq` up to the end it has now, through consumer group `group` (so a
 * replay resumes where the last one stopped) or, without a group, from the start.
 */
async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  group: string | undefined,
  visit: (letter: DeadLetterView) => Promise<void>,
): Promise<number> {
  const dlq = deadLetterTopicOf(topic);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, BigInt(p.high)]));
  const starts = new Map<number, bigint>();
  if (group) {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [dlq] });
    for (const p of committed?.partitions ?? []) if (Number(p.offset) >= 0) starts.set(p.partition, BigInt(p.offset));
  }
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([partition, end]) => end > (starts.get(partition) ?? 0n)).map(([partition]) => partition));
  if (remaining.size === 0) return 0;

  const consumer = kafka.consumer({ groupId: group ?? `flowline-dlq-reader-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: dlq, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition) ?? 0n;
          if (BigInt(message.offset) < end) {
            await visit({
              partition,
              offset: message.offset,
              key: message.key?.toString(),
              headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
              value: message.value,
            });
            seen += 1;
            if (group) await consumer.commitOffsets([{ topic: dlq, partition, offset: String(BigInt(message.offset) + 1n) }]);
          }
          if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return seen;
}

/** `flowline dlq show <topic>`: each dead letter with its reason. */
export async function showDeadLetters(kafka: Kafka, topic: string, print: (line: string) => void): Promise<number> {
  return readDeadLetters(kafka, topic, undefined, async (l) => {
    print(
      `${l.partition}/${l.offset}  key=${l.key ?? '-'}  ${l.headers[deadLetterHeader.failedAt] ?? ''}  ${l.headers[deadLetterHeader.function] ?? ''}  ` +
        `[${l.headers[deadLetterHeader.cause] ?? '?'}] ${l.headers[deadLetterHeader.reason] ?? ''}`,
    );
  });
}

/**
 * `flowline dlq replay <topic>`: puts dead letters back on their source topic, byte for
 * byte with their key, once each (consumer group `flowline-dlq-replay.<topic>.<function|all>`
 * remembers how far it got). Replay after fixing what made them fail: handlers are idempotent, so
 * an event that had partly succeeded is harmless to send again.
 */
export async function replayDeadLetters(kafka: Kafka, topic: string, options: { functionName?: string | undefined }): Promise<number> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let replayed = 0;
  // One group per (topic, filter): replaying one function's letters leaves the others for their own replay.
  await readDeadLetters(kafka, topic, `flowline-dlq-replay.${topic}.${options.functionName ?? 'all'}`, async (l) => {
    if (options.functionName && l.headers[deadLetterHeader.function] !== options.functionName) return;
    await producer.send({
      topic: l.headers[deadLetterHeader.sourceTopic] ?? topic,
      acks: -1,
      messages: [
        {
          key: l.key ?? null,
          value: l.value,
          headers: { 'flowline-replayed-from': `${deadLetterTopicOf(topic)}/${l.partition}/${l.offset}` },
        },
      ],
    });
    replayed += 1;
  });
  await producer.disconnect();
  return replayed;
}
