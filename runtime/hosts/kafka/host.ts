import { type Consumer, type EachBatchPayload, type IHeaders, type Kafka, PartitionAssigners, Partitioners, type Producer } from 'kafkajs';
import type { BoundFunction } from '../../bound-function.ts';
import { deliver, type InboundRecord, type OutgoingEvent } from '../../deliver.ts';
import { settle, toOutbound } from '../../settle.ts';
import { startTicker } from '../../ticker.ts';
import { deadLetterTopicOf } from '../../topics.ts';
import { BatchingProducer } from './batching-producer.ts';
import { ensureTopics } from './ensure-topics.ts';
import { RangeAssigner } from './range-assigner.ts';

export interface KafkaHostOptions {
  kafka: Kafka;
  /** How long a handler publish may wait to share a produce request. */
  lingerMs?: number;
  /** Called when the consumer crashed for good (kafkajs will not restart it): exit and let the orchestrator restart us. */
  onFatal?: (error: Error) => void;
  /**
   * Create missing topics (subscribed, published, dead-letter) with the broker's
   * default partitions before subscribing. Off where a platform team owns topics.
   */
  createTopics?: boolean;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * The longest a finished chunk's offset waits to be committed while the rest of its fetch is
   * handled (the end of a fetch always commits). One commit per fetch, as a bare consumer does,
   * instead of one round trip per chunk; what a crash repeats stays bounded by this.
   */
  commitIntervalMs?: number;
}

export interface KafkaHost {
  readonly consumer: Consumer;
  readonly producer: Producer;
  /** True once the consumer has joined its group, false again after a crash. */
  isReady(): boolean;
  /** Sends events (from an invocation) through this host's producer; resolves once acknowledged. */
  publish(publishes: OutgoingEvent[]): Promise<void>;
  /** Graceful: stop fetching, let in-flight work finish and commit, disconnect. */
  stop(): Promise<void>;
}

/**
 * Runs one function as a member of its Kafka consumer group. Per fetched batch:
 * chunks of `batch.maxSize` go through `deliver`, the chunk's dead letters and
 * publishes are sent and acknowledged, and only then is the chunk's offset
 * resolved; resolved offsets are committed at the end of the fetch (or after
 * `commitIntervalMs`): a crash at any point repeats uncommitted work, never loses it.
 */
export async function startKafkaHost(fn: BoundFunction, options: KafkaHostOptions): Promise<KafkaHost> {
  const { kafka } = options;
  const manifest = fn.manifest;
  const group = manifest.name;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
  const commitIntervalMs = options.commitIntervalMs ?? 1_000;
  const shutdown = new AbortController();
  let ready = false;

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner, // murmur2, as the Java client: keys land where other clients put them
    // While the broker is away, keep trying: nothing is committed until this succeeds.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: heartbeatIntervalMs,
    maxBytesPerPartition: 1_048_576,
    allowAutoTopicCreation: true,
    // Round-robin among ourselves; range too, so a dapr-host member (Sarama) can share the group during a move.
    partitionAssigners: [PartitionAssigners.roundRobin, RangeAssigner],
  });
  const outbox = new BatchingProducer(producer, { lingerMs: options.lingerMs ?? 5 });

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    ready = true;
    fn.log.info({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }, 'joined consumer group');
  });
  consumer.on(consumer.events.CRASH, (e) => {
    ready = false;
    const { error, restart } = e.payload;
    fn.log.error({ err: error, restart }, restart ? 'consumer crashed; kafkajs is restarting it' : 'consumer crashed for good');
    if (!restart) options.onFatal?.(error);
  });

  if (options.createTopics ?? true) await ensureTopics(kafka.admin(), topicsOf(manifest));
  await producer.connect();
  await consumer.connect();
  await retryWhileUnknown(() => consumer.subscribe({ topics: manifest.subscribes, fromBeginning: manifest.startFrom === 'earliest' }));

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale } = payload;
    const size = manifest.batch.maxSize;
    let resolved: string | undefined;
    let committedAt = Date.now();
    // Only offsets resolved after their chunk's effects were acknowledged are ever committed.
    const commit = async () => {
      if (resolved === undefined) return;
      await commitOffsetsIfNecessary(uncommittedOffsets());
      committedAt = Date.now();
      fn.metrics.consumerLag.set(
        { group, topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(resolved) - 1n)),
      );
      resolved = undefined;
    };
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!isRunning() || isStale()) return commit();
      const chunk = batch.messages.slice(start, start + size);
      const records: InboundRecord[] = chunk.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key?.toString('utf8'),
        value: m.value,
        headers: textHeaders(m.headers),
      }));

      // A slow handler (or a long retry, or a wait for a dependency) must not cost us the
      // partitions: keep beating. A beat the group rejects means it is rebalancing (or has
      // already given our partitions away): stop this chunk at once, commit nothing, rejoin;
      // the uncommitted events are redelivered, and the group is not held up by our work.
      const abandon = new AbortController();
      let lostBy: Error | undefined;
      const beat = setInterval(
        () =>
          void heartbeat().catch((error: Error & { type?: string }) => {
            if (!rejectedBeat.has(error.type ?? '')) return; // a broker away for a moment: the next beat tells
            lostBy ??= error;
            abandon.abort();
          }),
        heartbeatIntervalMs,
      );
      let result: Awaited<ReturnType<typeof deliver>>;
      try {
        result = await deliver(fn, records, { onExhausted: 'dead-letter', signal: AbortSignal.any([shutdown.signal, abandon.signal]) });
      } finally {
        clearInterval(beat);
      }
      if (lostBy) {
        fn.log.warn(
          { topic: batch.topic, partition: batch.partition, reason: lostBy.message, events: records.length },
          'heartbeat rejected: the group is rebalancing; abandoning this chunk uncommitted (it is redelivered) to rejoin',
        );
        return;
      }

      const { messages, committable } = settle(fn, records, result);
      await outbox.send(messages); // throws → nothing more committed → kafkajs refetches from the last commit
      for (const p of result.publishes) fn.metrics.published.inc({ function: group, topic: p.topic });
      if (committable > 0) {
        resolved = (records[committable - 1] as InboundRecord).offset;
        resolveOffset(resolved);
      }
      if (committable < records.length) return commit(); // the rest is redelivered after restart
      if (Date.now() - committedAt >= commitIntervalMs) await commit();
      await heartbeat();
    }
    await commit();
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Math.max(1, Math.min(manifest.concurrency, 4)),
    eachBatch,
  });

  const ticker = startTicker(fn, (publishes) => outbox.send(publishes.map(toOutbound)), shutdown.signal);

  return {
    consumer,
    producer,
    isReady: () => ready,
    publish: (publishes) => outbox.send(publishes.map(toOutbound)),
    async stop() {
      ready = false;
      shutdown.abort();
      await ticker.stop();
      await consumer.disconnect(); // waits for the running eachBatch, which commits what it finished
      await outbox.flush();
      await producer.disconnect();
    },
  };
}

/** Heartbeat answers that mean this member must rejoin (kafkajs rethrows them from `heartbeat()`). */
const rejectedBeat = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

const topicsOf = (manifest: BoundFunction['manifest']): string[] => [
  ...new Set([...manifest.subscribes, ...manifest.subscribes.map(deadLetterTopicOf), ...manifest.publishes]),
];

/**
 * On a cluster, the broker the consumer asks may learn of a new topic a moment after the one
 * that created it: UNKNOWN_TOPIC_OR_PARTITION then is a matter of time, not a missing topic.
 */
async function retryWhileUnknown<T>(work: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** kafkajs headers (Buffer, string, or several of either) as text; repeated ones keep the last. */
function textHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) out[name] = last.toString();
  }
  return out;
}
