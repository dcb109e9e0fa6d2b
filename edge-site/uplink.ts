import type { Logger } from 'pino';
import type { z } from 'zod';
import { AlarmAction } from '../contracts/alarm.ts';
import { AuditLog } from '../contracts/audit-log.ts';
import type { JournalEvent } from '../edge-adapter/store-and-forward/sample-journal.ts';
import { decodeEvent } from '../runtime/envelope.ts';
import type { BusSubscription, MemoryBus } from '../runtime/hosts/memory/bus.ts';

/**
 * What the pad decides that the central side must learn: operators' actions on alarms
 * (who, when, comment, and the raise they acted on) and the audit records of the pad's
 * gateway and functions. Alarms themselves do not go up: the central alarm function raises
 * the same ones from the same samples (alarm ids and raise times derive from them).
 */
export const upstreamTopics = {
  'scada.alarm-actions': AlarmAction,
  'system.audit-log': AuditLog,
} as const satisfies Record<string, z.ZodType>;

type UpstreamTopic = keyof typeof upstreamTopics;

/**
 * Reads those topics off the pad's bus and hands each event, its id kept, to the edge
 * adapter's store-and-forward buffer (`forward`), which sends it to the central Kafka when
 * the link allows, at least once; consumers there deduplicate on the id. An event that
 * does not decode or fails its schema is a bug of this process: logged and left out,
 * since the buffer would otherwise resend it for ever.
 */
export function startUplink(options: { bus: MemoryBus; forward: (event: JournalEvent) => void; log: Logger }): BusSubscription {
  const { log } = options;
  return options.bus.subscribe(
    'edge-site-uplink',
    Object.keys(upstreamTopics),
    async (records) => {
      for (const r of records) {
        const decoded = decodeEvent(r.value, { topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key });
        if (!decoded.ok) {
          log.error(
            { topic: r.topic, offset: r.offset, reason: decoded.reason },
            'an event of the pad cannot be decoded; not sent upstream',
          );
          continue;
        }
        const { event } = decoded;
        const data = upstreamTopics[r.topic as UpstreamTopic].safeParse(event.data);
        if (!data.success) {
          log.error(
            { topic: r.topic, id: event.id, reason: data.error.message },
            'an event of the pad fails its schema; not sent upstream',
          );
          continue;
        }
        const time = event.time === undefined ? Date.now() : Date.parse(event.time);
        options.forward({ topic: r.topic, key: r.key ?? event.id, id: event.id, time, data: data.data });
      }
      return records.length;
    },
    { maxChunk: 100, fromBeginning: true },
  );
}
