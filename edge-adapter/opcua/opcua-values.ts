import type { DataValue } from 'node-opcua';
import { Quality, qualityFromOpcUaStatus } from '../../contracts/quality.ts';

export interface ReadValue {
  /** Engineering units; undefined when the variant holds nothing numeric. */
  value: number | undefined;
  quality: number;
  timestamp: number;
}

/**
 * A variant's value as a number: booleans as 0/1, 64-bit integers (node-opcua gives
 * [high, low] 32-bit halves) as the nearest double. Anything else (text, arrays,
 * structures) is not telemetry.
 */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    const [high, low] = value as [number, number];
    return high * 0x1_0000_0000 + (low >>> 0);
  }
  return undefined;
}

/**
 * One monitored-item notification → value, quality and time. The time is the source
 * timestamp (when the PLC measured), else the server's, else now: the natural key of a
 * sample must not change when the same notification is delivered again after a reconnect.
 */
export function readDataValue(dataValue: DataValue, now = Date.now()): ReadValue {
  const status = dataValue.statusCode?.value ?? 0;
  const timestamp = dataValue.sourceTimestamp?.getTime() ?? dataValue.serverTimestamp?.getTime() ?? now;
  const value = numericValue(dataValue.value?.value);
  let quality = qualityFromOpcUaStatus(status);
  // A good status around a value we cannot use (text, NaN) is a configuration problem.
  if (value === undefined && quality >= Quality.UNCERTAIN) quality = Quality.BAD_CONFIG_ERROR;
  return { value, quality, timestamp: Number.isFinite(timestamp) && timestamp > 0 ? timestamp : now };
}
