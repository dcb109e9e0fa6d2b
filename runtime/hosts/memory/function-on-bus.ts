import type { BoundFunction } from '../../bound-function.ts';
import { deliver, type InboundRecord } from '../../deliver.ts';
import { settle, toOutbound } from '../../settle.ts';
import { startTicker } from '../../ticker.ts';
import type { BusSubscription, ChunkHandler, MemoryBus } from './bus.ts';

export interface FunctionOnBus {
  /**
   * Stops this function alone: no new chunk starts, the one in flight finishes and commits.
   * After `graceMs` the function's signal is aborted, so a chunk held by retries or by a
   * dependency that is away ends early; what it did not commit goes to the next consumer of
   * the group. 0 aborts at once (process shutdown).
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** The default wait for an in-flight chunk before its retries are cut short. */
export const defaultStopGraceMs = 10_000;

/**
 * Runs one bound function on the bus: its consumer group (named after it) and its tick,
 * with a signal of its own, so it can be stopped and started again while the others run.
 */
export function runOnBus(bus: MemoryBus, fn: BoundFunction): FunctionOnBus {
  const signal = new AbortController();
  const handleChunk: ChunkHandler = async (chunk) => {
    const records: InboundRecord[] = chunk.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: String(r.offset),
      key: r.key,
      value: r.value,
      headers: r.headers,
    }));
    const result = await deliver(fn, records, { onExhausted: 'dead-letter', signal: signal.signal });
    const { messages, committable } = settle(fn, records, result);
    bus.publish(messages);
    for (const p of result.publishes) fn.metrics.published.inc({ function: fn.manifest.name, topic: p.topic });
    return committable;
  };
  // The ticker first: it refuses a tick it cannot run (no Redis) before any event is taken.
  const ticker = startTicker(fn, async (publishes) => bus.publish(publishes.map(toOutbound)), signal.signal);
  let subscription: BusSubscription;
  try {
    subscription = bus.subscribe(fn.manifest.name, fn.manifest.subscribes, handleChunk, {
      maxChunk: fn.manifest.batch.maxSize,
      fromBeginning: fn.manifest.startFrom === 'earliest',
    });
  } catch (error) {
    signal.abort();
    void ticker.stop();
    throw error;
  }
  return {
    async stop({ graceMs = defaultStopGraceMs } = {}) {
      if (graceMs <= 0) signal.abort();
      const timer = setTimeout(() => signal.abort(), graceMs);
      try {
        await Promise.all([subscription.stop(), ticker.stop()]);
      } finally {
        clearTimeout(timer);
        signal.abort(); // nothing runs any more: ends whatever may still wait on the signal
      }
    },
  };
}
