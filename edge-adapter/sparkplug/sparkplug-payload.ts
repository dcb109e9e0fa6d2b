import sparkplugPayload from 'sparkplug-payload';
import type { TypeStr, UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { Quality } from '../../contracts/quality.ts';

const codec = sparkplugPayload.get('spBv1.0');
if (!codec) throw new Error('sparkplug-payload does not provide the spBv1.0 codec');
const { encodePayload, decodePayload } = codec;

export type DataType = TypeStr;

/** One metric as the host uses it: a number or nothing, its time, and its quality on Flowline's scale. */
export interface Metric {
  name: string | undefined;
  alias: number | undefined;
  datatype: DataType | undefined;
  /** Numbers, booleans (1/0) and times (epoch ms); undefined for null metrics and for text, bytes, data sets… */
  value: number | undefined;
  /** The metric carries a value Flowline cannot publish (text, bytes, a data set, a template). */
  notNumeric: boolean;
  timestamp: number | undefined;
  quality: number;
}

export interface DecodedPayload {
  timestamp: number | undefined;
  seq: number | undefined;
  metrics: Metric[];
}

/** A protobuf uint64 as protobufjs hands it (a Long) or a plain number. */
function integer(value: unknown, signed = false): number | undefined {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'toNumber' in value && typeof value.toNumber === 'function') {
    const long = signed && 'toSigned' in value && typeof value.toSigned === 'function' ? value.toSigned() : value;
    return (long as { toNumber(): number }).toNumber();
  }
  return undefined;
}

function metricValue(metric: UMetric): number | undefined {
  const { value, type } = metric;
  if (value === null || value === undefined || metric.isNull) return undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (type === 'Int64') return integer(value, true);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return ['UInt32', 'UInt64', 'DateTime'].includes(type) ? integer(value) : undefined;
}

/**
 * A metric's Quality property, as Ignition and other Sparkplug nodes send it: an OPC DA
 * quality byte (192 good, 0 bad). Codes outside 0–255 are another scale: uncertain.
 */
function metricQuality(metric: UMetric, value: number | undefined, notNumeric: boolean): number {
  if (metric.isNull || metric.value === null || metric.value === undefined) return Quality.BAD;
  if (notNumeric) return Quality.BAD_CONFIG_ERROR;
  const code = integer(metric.properties?.Quality?.value);
  if (code === undefined) return value === undefined ? Quality.BAD : Quality.GOOD;
  return Number.isInteger(code) && code >= 0 && code <= 255 ? code : Quality.UNCERTAIN;
}

/** Decodes a Sparkplug B payload; throws on bytes that are not one (the caller counts them as malformed). */
export function decodeSparkplug(bytes: Uint8Array): DecodedPayload {
  const payload = decodePayload(bytes);
  return {
    timestamp: integer(payload.timestamp),
    seq: integer(payload.seq),
    metrics: (payload.metrics ?? []).map((m): Metric => {
      const value = metricValue(m);
      const notNumeric = m.value !== null && m.value !== undefined && !m.isNull && value === undefined;
      return {
        name: m.name ?? undefined,
        alias: integer(m.alias),
        datatype: m.type,
        value,
        notNumeric,
        timestamp: integer(m.timestamp),
        quality: metricQuality(m, value, notNumeric),
      };
    }),
  };
}

export function encodeSparkplug(payload: UPayload): Uint8Array {
  return encodePayload(payload);
}

/** The NCMD that asks an edge node to publish its births again. */
export function rebirthCommand(now: number): Uint8Array {
  return encodePayload({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true, timestamp: now }] });
}

/** An NCMD/DCMD writing one metric, named and (when the birth gave one) by alias, in its own datatype. */
export function writeCommand(
  metric: { name: string; alias: number | undefined; datatype: DataType },
  value: number,
  now: number,
): Uint8Array {
  const typed = metric.datatype === 'Boolean' ? value !== 0 : value;
  return encodePayload({
    timestamp: now,
    metrics: [
      {
        name: metric.name,
        ...(metric.alias === undefined ? {} : { alias: metric.alias }),
        type: metric.datatype,
        value: typed,
        timestamp: now,
      },
    ],
  });
}
