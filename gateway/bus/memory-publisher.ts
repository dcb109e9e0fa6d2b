import { encodeEvent } from '../../runtime/envelope.ts';
import type { MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import { type EventPublisher, envelopeOf } from './event-publisher.ts';

/** Publishes onto the in-process bus of the memory host (npm start, tests). */
export function memoryPublisher(bus: MemoryBus): EventPublisher {
  return {
    async publish(events) {
      const envelopes = events.map(envelopeOf);
      bus.publish(
        envelopes.map((e, i) => ({ topic: events[i]?.topic as string, key: e.partitionkey, value: encodeEvent(e).toString('utf8') })),
      );
      return envelopes;
    },
    check: async () => {},
    close: async () => {},
  };
}
