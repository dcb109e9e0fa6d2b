import type { BusSubscription, MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import type { CommandResultIntake } from './command-result-intake.ts';

/** The gateway's consumer group, on the memory bus as on Kafka. */
export const gatewayGroup = 'flowline-gateway';

/**
 * scada.commands.results on the memory bus (npm start, the tests): in order per
 * partition, committed as far as Redis took them; the rest comes again.
 */
export function readCommandResultsFromBus(bus: MemoryBus, intake: CommandResultIntake, group = gatewayGroup): BusSubscription {
  return bus.subscribe(
    group,
    ['scada.commands.results'],
    async (records) => {
      let done = 0;
      for (const r of records) {
        await intake.take({ topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key, value: r.value });
        done += 1;
      }
      return done;
    },
    { maxChunk: 100, fromBeginning: true },
  );
}
