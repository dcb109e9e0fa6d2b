import type { BoundFunction } from '../../bound-function.ts';
import { deliver, type InboundRecord, type OutgoingEvent } from '../../deliver.ts';
import { settle, toOutbound } from '../../settle.ts';
import { startTicker } from '../../ticker.ts';
import type { BusSubscription, MemoryBus } from './bus.ts';

export interface MemoryHost {
  /** Puts events (from an invocation) on the bus. */
  publish(publishes: OutgoingEvent[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs functions on the in-process bus: the embedded default behind `npm start`
 * and the host of unit tests. Same delivery core as the kafka host; the bus plays
 * the broker.
 */
export function startMemoryHost(bus: MemoryBus, functions: readonly BoundFunction[]): MemoryHost {
  const shutdown = new AbortController();
  const subscriptions: BusSubscription[] = functions.map((fn) =>
    bus.subscribe(
      fn.manifest.name,
      fn.manifest.subscribes,
      async (chunk) => {
        const records: InboundRecord[] = chunk.map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: String(r.offset),
          key: r.key,
          value: r.value,
          headers: r.headers,
        }));
        const result = await deliver(fn, records, { onExhausted: 'dead-letter', signal: shutdown.signal });
        const { messages, committable } = settle(fn, records, result);
        bus.publish(messages);
        for (const p of result.publishes) fn.metrics.published.inc({ function: fn.manifest.name, topic: p.topic });
        return committable;
      },
      { maxChunk: fn.manifest.batch.maxSize, fromBeginning: fn.manifest.startFrom === 'earliest' },
    ),
  );
  const tickers = functions.map((fn) => startTicker(fn, async (publishes) => bus.publish(publishes.map(toOutbound)), shutdown.signal));
  return {
    publish: async (publishes) => bus.publish(publishes.map(toOutbound)),
    async stop() {
      shutdown.abort();
      await Promise.all([...subscriptions, ...tickers].map((s) => s.stop()));
    },
  };
}
