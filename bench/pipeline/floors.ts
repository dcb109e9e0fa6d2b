import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Fleet } from './fleet.ts';

/** The end offset of every partition of a topic (the next offset to be written). */
export type Offsets = Map<number, number>;

export async function endOffsets(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The consumer floor: a bare kafkajs consumer (eachBatch, JSON.parse of every value, a
 * commit per batch, as bench/runtime-overhead.ts's) reading exactly the records a round
 * produced, [from, to) per partition; events per second from its first batch to its last.
 */
export async function bareConsumer(kafka: Kafka, topic: string, from: Offsets, to: Offsets): Promise<number> {
  const total = [...to].reduce((n, [p, end]) => n + end - (from.get(p) ?? 0), 0);
  if (total === 0) return Number.NaN;
  const consumer = kafka.consumer({ groupId: `bench-floor-${randomUUID().slice(0, 8)}`, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let started = 0;
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, commitOffsetsIfNecessary }) => {
        if (started === 0) started = performance.now();
        const first = from.get(batch.partition) ?? 0;
        const end = to.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < first) continue;
          if (offset >= end) break;
          JSON.parse(message.value?.toString('utf8') ?? 'null');
          seen += 1;
        }
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }],
        });
        await heartbeat();
        if (seen >= total && finished === 0) {
          finished = performance.now();
          resolve();
        }
      },
    });
  });
  // seek is allowed once run has been called (synchronously above), before its first fetch lands.
  for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: String(offset) });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the bare consumer read ${seen} of ${total} records in 120 s: is the broker overloaded?`)),
      120_000,
    );
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return total / ((finished - started) / 1000);
}

const copyColumns =
  'device_id, tag_id, ts, value, quality, status, flags, unit, tenant_id, field_id, well_id, source_protocol, received_at';

/** A plain table shaped as telemetry (its natural key, no partitions, no rollups): what COPY writes into. */
export async function createCopyFloorTable(db: pg.Client): Promise<void> {
  await db.query('CREATE TABLE IF NOT EXISTS telemetry_floor (LIKE telemetry INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)');
}

/**
 * The storage floor: `rows` of the fleet's samples, shaped as persist stores them, by COPY
 * FROM STDIN in batches of persist's size, one after another on one connection; rows/s.
 */
export async function bareCopy(db: pg.Client, fleet: Fleet, rows: number, batchSize: number): Promise<number> {
  await db.query('TRUNCATE telemetry_floor');
  const t0 = Date.now() - rows;
  const line = (n: number) => {
    const s = fleet.sample(n, t0 + Math.floor(n / fleet.series));
    const ts = new Date(s.timestamp).toISOString();
    return [s.deviceId, s.tagId, ts, s.value, s.quality, 'good', '{}', '\\N', fleet.tenant, '\\N', '\\N', s.sourceProtocol, ts].join('\t');
  };
  const started = performance.now();
  for (let first = 0; first < rows; first += batchSize) {
    const lines: string[] = [];
    for (let n = first; n < Math.min(rows, first + batchSize); n++) lines.push(line(n));
    const stream = db.query(copyFrom(`COPY telemetry_floor (${copyColumns}) FROM STDIN`));
    await pipeline(
      (async function* () {
        yield `${lines.join('\n')}\n`;
      })(),
      stream,
    );
  }
  return rows / ((performance.now() - started) / 1000);
}
