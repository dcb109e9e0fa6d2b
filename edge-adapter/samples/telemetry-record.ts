import { TelemetryRaw } from '../../contracts/telemetry.ts';
import { createEvent, derivedEventId, encodeEvent } from '../../runtime/envelope.ts';
import type { SinkRecord } from '../sinks/sink.ts';

/**
 * A sample as a CloudEvent on the telemetry topic, keyed by its device. The event id is
 * derived from the natural key (device, tag, timestamp), so a sample replayed from the
 * buffer after an unacknowledged send carries the same id as its first copy.
 */
export function telemetryRecord(sample: TelemetryRaw, topic: string, source: string, traceparent?: string): SinkRecord {
  const data = TelemetryRaw.parse(sample);
  const event = createEvent({
    id: derivedEventId(['telemetry', data.deviceId, data.tagId, String(data.timestamp)]),
    source,
    type: topic,
    subject: `${data.deviceId}/${data.tagId}`,
    time: new Date(data.timestamp),
    data,
    partitionkey: data.deviceId,
    ...(traceparent ? { traceparent } : {}),
  });
  return { topic, key: data.deviceId, value: encodeEvent(event) };
}
