import type { BoundFunction } from '../../bound-function.ts';
import type { OutgoingEvent } from '../../deliver.ts';
import { toOutbound } from '../../settle.ts';
import type { MemoryBus } from './bus.ts';
import { runOnBus } from './function-on-bus.ts';

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
  const running = functions.map((fn) => runOnBus(bus, fn));
  return {
    publish: async (publishes) => bus.publish(publishes.map(toOutbound)),
    async stop() {
      // The process is ending: cut retries short at once, as before; uncommitted events stay on the bus.
      await Promise.all(running.map((r) => r.stop({ graceMs: 0 })));
    },
  };
}
