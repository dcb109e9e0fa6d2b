import type { OutboundMessage } from '../../settle.ts';

export interface BusRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | undefined;
  value: Uint8Array | string;
  headers: Record<string, string>;
  timestamp: number;
}

/**
 * Handles a chunk of one partition's records, in offset order, and answers how many of
 * them are done (committed). Fewer than all means "give me the rest again later".
 */
export type ChunkHandler = (records: BusRecord[]) => Promise<number>;

export interface BusSubscription {
  stop(): Promise<void>;
}

interface PartitionLog {
  base: number; // offset of records[0]
  records: BusRecord[];
}

/**
 * An in-process stand-in for Kafka, the counterpart of Dapr's in-memory pub/sub:
 * topics with partitions, keys placed by hash (so order holds per key), consumer
 * groups with committed offsets, at-least-once delivery. One consumer per group.
 */
export class MemoryBus {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, GroupConsumer>();
  /** Committed offsets per group (`topic/partition` → next offset): they outlive the group's consumer, as in Kafka. */
  private readonly offsets = new Map<string, Map<string, number>>();
  private readonly partitions: number;
  private readonly retention: number;
  private readonly keepCommitted: number;
  private roundRobin = 0;

  /**
   * `retentionPerPartition`: the most records a partition keeps, consumed or not (the
   * oldest go first, as Kafka's retention drops them whoever has not read them).
   * `keepCommitted`: once every group that reads a partition has committed a record, keep
   * only this many such records behind the slowest of them — a box that only needs the
   * records still to be handled (an edge site) holds its lag, not its history. Default:
   * all of them, up to the retention (tests and `npm start` read topics back).
   */
  constructor(options: { partitions?: number; retentionPerPartition?: number; keepCommitted?: number } = {}) {
    this.partitions = options.partitions ?? 3;
    this.retention = options.retentionPerPartition ?? 100_000;
    this.keepCommitted = options.keepCommitted ?? Number.POSITIVE_INFINITY;
  }

  publish(messages: readonly OutboundMessage[]): void {
    const touched = new Set<string>();
    for (const message of messages) {
      const logs = this.logsOf(message.topic);
      const partition = message.key === undefined ? this.roundRobin++ % logs.length : hashKey(message.key) % logs.length;
      const log = logs[partition] as PartitionLog;
      log.records.push({
        topic: message.topic,
        partition,
        offset: log.base + log.records.length,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
        timestamp: Date.now(),
      });
      if (log.records.length > this.retention) {
        const drop = log.records.length - this.retention;
        log.records.splice(0, drop);
        log.base += drop;
      }
      touched.add(message.topic);
    }
    for (const consumer of this.groups.values()) if (consumer.topics.some((t) => touched.has(t))) consumer.wake();
  }

  /** Every record still retained on a topic, all partitions, in (partition, offset) order. */
  read(topic: string): BusRecord[] {
    return this.logsOf(topic).flatMap((log) => log.records);
  }

  /**
   * One consumer for `group` on `topics`. Its committed offsets stay on the bus after
   * `stop()`: the in-flight chunk finishes and commits, and the next consumer of the
   * same group starts exactly there.
   */
  subscribe(
    group: string,
    topics: readonly string[],
    handler: ChunkHandler,
    options: { maxChunk: number; fromBeginning: boolean },
  ): BusSubscription {
    if (this.groups.has(group)) throw new Error(`consumer group "${group}" already has a consumer on this bus`);
    // A group that subscribes again (a function reloaded in `npm run dev`) resumes where it
    // committed; `fromBeginning` only places the partitions it has never committed on.
    const committed = this.offsets.get(group) ?? new Map<string, number>();
    this.offsets.set(group, committed);
    for (const topic of topics) {
      this.logsOf(topic).forEach((log, partition) => {
        const id = `${topic}/${partition}`;
        if (!committed.has(id)) committed.set(id, options.fromBeginning ? log.base : log.base + log.records.length);
      });
    }
    const consumer = new GroupConsumer(this, [...topics], handler, options.maxChunk, committed);
    this.groups.set(group, consumer);
    consumer.wake();
    return {
      stop: async () => {
        await consumer.stop();
        this.groups.delete(group);
      },
    };
  }

  /** Records not yet committed by `group`, summed over its topics' partitions. */
  lag(group: string): number {
    const consumer = this.groups.get(group);
    if (!consumer) return 0;
    let lag = 0;
    for (const topic of consumer.topics) {
      this.logsOf(topic).forEach((log, partition) => {
        lag += log.base + log.records.length - consumer.position(topic, partition, log.base);
      });
    }
    return lag;
  }

  /** Resolves when every group has committed everything published so far. */
  async drained(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.groups.keys()].some((g) => this.lag(g) > 0)) {
      if (Date.now() > deadline) throw new Error(`memory bus not drained after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** After a commit: drops what every group reading the partition has committed, but the last `keepCommitted`. */
  trimCommitted(topic: string, partition: number): void {
    if (this.keepCommitted === Number.POSITIVE_INFINITY) return;
    const id = `${topic}/${partition}`;
    let slowest = Number.POSITIVE_INFINITY;
    for (const committed of this.offsets.values()) {
      const offset = committed.get(id);
      if (offset !== undefined) slowest = Math.min(slowest, offset);
    }
    const log = this.logsOf(topic)[partition] as PartitionLog;
    const drop = Math.min(slowest - this.keepCommitted - log.base, log.records.length);
    if (drop <= 0) return;
    log.records.splice(0, drop);
    log.base += drop;
  }

  logsOf(topic: string): PartitionLog[] {
    let logs = this.topics.get(topic);
    if (!logs) {
      logs = Array.from({ length: this.partitions }, () => ({ base: 0, records: [] }));
      this.topics.set(topic, logs);
    }
    return logs;
  }
}

class GroupConsumer {
  readonly topics: string[];
  private readonly bus: MemoryBus;
  private readonly handler: ChunkHandler;
  private readonly maxChunk: number;
  private readonly committed: Map<string, number>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly rewake = new Set<string>();
  private stopped = false;

  constructor(bus: MemoryBus, topics: string[], handler: ChunkHandler, maxChunk: number, committed: Map<string, number>) {
    this.bus = bus;
    this.topics = topics;
    this.handler = handler;
    this.maxChunk = maxChunk;
    this.committed = committed;
  }

  position(topic: string, partition: number, base: number): number {
    return Math.max(this.committed.get(`${topic}/${partition}`) ?? base, base);
  }

  /** Starts a drain loop for every partition that has none running. */
  wake(): void {
    if (this.stopped) return;
    for (const topic of this.topics) {
      for (let partition = 0; partition < this.bus.logsOf(topic).length; partition++) this.start(topic, partition);
    }
  }

  private start(topic: string, partition: number): void {
    const id = `${topic}/${partition}`;
    if (this.running.has(id)) {
      // The loop may already have found nothing and be about to end: have it look again.
      this.rewake.add(id);
      return;
    }
    const loop = this.drain(topic, partition).finally(() => {
      this.running.delete(id);
      if (this.rewake.delete(id) && !this.stopped) this.start(topic, partition);
    });
    this.running.set(id, loop);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running.values()]);
  }

  // One loop per partition: chunks are handled strictly one after another, like Kafka.
  private async drain(topic: string, partition: number): Promise<void> {
    const id = `${topic}/${partition}`;
    let idleRounds = 0;
    while (!this.stopped) {
      this.rewake.delete(id);
      const log = this.bus.logsOf(topic)[partition] as PartitionLog;
      const from = this.position(topic, partition, log.base);
      const chunk = log.records.slice(from - log.base, from - log.base + this.maxChunk);
      if (chunk.length === 0) return;
      let done = 0;
      try {
        done = await this.handler(chunk);
      } catch {
        done = 0; // the host failed to settle: redeliver the chunk
      }
      if (done > 0) {
        this.committed.set(id, (chunk[done - 1] as BusRecord).offset + 1);
        this.bus.trimCommitted(topic, partition);
        idleRounds = 0;
      } else {
        // Nothing committed (shutdown or a failed send): back off before redelivering.
        idleRounds += 1;
        await new Promise((r) => setTimeout(r, Math.min(1_000, 10 * 2 ** idleRounds)));
      }
    }
  }
}

// FNV-1a: a stable hash, so the same key always lands on the same partition.
function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
