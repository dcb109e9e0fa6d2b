import { Quality, qualityClass } from '../../contracts/quality.ts';
import type { FromMessage, MqttSubscription } from '../config/mqtt-device.ts';
import { numberOf, qualityOf, type TimestampFormat, timestampOf } from './payload-fields.ts';
import { type PayloadPath, payloadPath, readPayloadPath } from './payload-path.ts';

type Source = { kind: 'level'; level: number } | { kind: 'field'; path: PayloadPath; text: string };

/** A subscription of a plain MQTT device, its paths parsed once. */
export interface MessageMapping {
  filter: string;
  tag: { kind: 'key'; key: string } | Source;
  device: Source | undefined;
  value: PayloadPath;
  valueText: string;
  timestamp: { path: PayloadPath; text: string; format: TimestampFormat } | undefined;
  quality: { path: PayloadPath; text: string } | undefined;
}

export type Mapped =
  /** value undefined: the payload says the reading is bad and carries none (the last value stands in). */
  | { kind: 'sample'; tagKey: string; value: number | undefined; timestamp: number; quality: number }
  /** The message names another device sharing the topic: not this device's, and not a fault. */
  | { kind: 'other-device' }
  | { kind: 'malformed'; reason: string };

const source = (from: FromMessage): Source =>
  'level' in from ? { kind: 'level', level: from.level } : { kind: 'field', path: payloadPath(from.field), text: from.field };

export function messageMapping(subscription: MqttSubscription): MessageMapping {
  return {
    filter: subscription.topic,
    tag: typeof subscription.tag === 'string' ? { kind: 'key', key: subscription.tag } : source(subscription.tag),
    device: subscription.device && source(subscription.device),
    value: payloadPath(subscription.value),
    valueText: subscription.value,
    timestamp: subscription.timestamp
      ? { path: payloadPath(subscription.timestamp), text: subscription.timestamp, format: subscription.timestampFormat }
      : undefined,
    quality: subscription.quality ? { path: payloadPath(subscription.quality), text: subscription.quality } : undefined,
  };
}

/**
 * One message through one subscription's mapping: which tag, what value, when, how good.
 * Anything the mapping cannot find or read is `malformed`, with the reason, so the
 * adapter can count and report it; nothing here throws.
 */
export function mapMessage(mapping: MessageMapping, deviceKey: string, topic: string, payload: Buffer, receivedAt: number): Mapped {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: `the payload on ${topic} is not JSON (${payload.length} bytes)` };
  }
  const levels = topic.split('/');
  const name = (from: Source, what: string): string | { reason: string } => {
    const raw = from.kind === 'level' ? levels[from.level] : readPayloadPath(json, from.path);
    if ((typeof raw === 'string' && raw !== '') || typeof raw === 'number') return String(raw);
    return { reason: `no ${what} ${from.kind === 'level' ? `at level ${from.level} of ${topic}` : `at ${from.text}`}` };
  };
  if (mapping.device) {
    const device = name(mapping.device, 'device name');
    if (typeof device !== 'string') return { kind: 'malformed', reason: device.reason };
    if (device !== deviceKey) return { kind: 'other-device' };
  }
  const tagKey = mapping.tag.kind === 'key' ? mapping.tag.key : name(mapping.tag, 'tag name');
  if (typeof tagKey !== 'string') return { kind: 'malformed', reason: tagKey.reason };

  let quality: number = Quality.GOOD;
  if (mapping.quality) {
    const raw = readPayloadPath(json, mapping.quality.path);
    const read = qualityOf(raw);
    if (read === undefined) return { kind: 'malformed', reason: `${mapping.quality.text} is ${describe(raw)}, not a quality` };
    quality = read;
  }
  let timestamp = receivedAt;
  if (mapping.timestamp) {
    const raw = readPayloadPath(json, mapping.timestamp.path);
    const read = timestampOf(raw, mapping.timestamp.format);
    if (read === undefined) {
      return { kind: 'malformed', reason: `${mapping.timestamp.text} is ${describe(raw)}, not a timestamp (${mapping.timestamp.format})` };
    }
    timestamp = read;
  }
  const raw = readPayloadPath(json, mapping.value);
  const value = numberOf(raw);
  if (value === undefined) {
    // A bad reading may come without a value; anything else without one is a broken payload.
    if ((raw === undefined || raw === null) && qualityClass(quality) === 'bad')
      return { kind: 'sample', tagKey, value: undefined, timestamp, quality };
    return { kind: 'malformed', reason: `${mapping.valueText} is ${describe(raw)}, not a number` };
  }
  return { kind: 'sample', tagKey, value, timestamp, quality };
}

function describe(raw: unknown): string {
  if (raw === undefined) return 'missing';
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
