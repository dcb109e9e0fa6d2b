import { CompactedMinute, minuteOf } from '../../contracts/compacted-minute.ts';
import { createEvent, derivedEventId, encodeEvent } from '../../runtime/envelope.ts';
import type { SinkRecord } from '../sinks/sink.ts';

/**
 * A compacted minute as a CloudEvent on the compacted-telemetry topic, keyed by its device.
 * Its id is derived from the piece's natural key (device, tag, first sample): pieces never
 * change once written, so a replay after an unacknowledged send carries the same id.
 */
export function compactedMinuteRecord(minute: CompactedMinute, topic: string, source: string, traceparent?: string): SinkRecord {
  const data = CompactedMinute.parse(minute);
  const event = createEvent({
    id: derivedEventId(['compacted', data.deviceId, data.tagId, String(data.firstTimestamp)]),
    source,
    type: topic,
    subject: `${data.deviceId}/${data.tagId}`,
    time: new Date(minuteOf(data.firstTimestamp)),
    data,
    partitionkey: data.deviceId,
    ...(traceparent ? { traceparent } : {}),
  });
  return { topic, key: data.deviceId, value: encodeEvent(event) };
}
