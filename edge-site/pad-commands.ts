import type { Logger } from 'pino';
import type { Handled } from '../edge-adapter/commands/command-handler.ts';
import { createEvent, decodeEvent, derivedEventId, encodeEvent } from '../runtime/envelope.ts';
import type { BusSubscription, MemoryBus } from '../runtime/hosts/memory/bus.ts';

/**
 * Setpoint writes asked at the pad's own console: from the pad's bus to the adapter, which
 * decides them under its guard rails exactly as it decides those from the central Kafka
 * (the same command id is answered once, whichever way it came). Its answer goes upstream
 * through the buffer with its audit record, as always, and onto the pad's bus too, so the
 * pad's console sees it while the link is down. The adapter validates the command itself:
 * what it cannot address it answers as refused or leaves out, never throws.
 */
export function startPadCommands(options: {
  bus: MemoryBus;
  handle: (data: unknown) => Promise<Handled>;
  source: string;
  log: Logger;
}): BusSubscription {
  const { bus, log } = options;
  return bus.subscribe(
    'edge-site-commands',
    ['scada.commands'],
    async (records) => {
      for (const r of records) {
        const decoded = decodeEvent(r.value, { topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key });
        if (!decoded.ok) {
          log.error({ offset: r.offset, reason: decoded.reason }, "a command on the pad's bus cannot be decoded; left out");
          continue;
        }
        const handled = await options.handle(decoded.event.data);
        if (!handled.handled) continue;
        const { result } = handled;
        // The id the adapter gives the result it sends upstream: one result, whichever copy a console files.
        const event = createEvent({
          id: derivedEventId(['command-result', result.commandId]),
          source: options.source,
          type: 'scada.commands.results',
          data: result,
          partitionkey: r.key ?? result.commandId,
        });
        bus.publish([{ topic: 'scada.commands.results', key: r.key, value: encodeEvent(event).toString('utf8') }]);
      }
      return records.length;
    },
    { maxChunk: 100, fromBeginning: true },
  );
}
