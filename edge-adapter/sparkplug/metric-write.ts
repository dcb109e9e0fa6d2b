import type { DataType } from './sparkplug-payload.ts';

const integerRanges: Partial<Record<DataType, [number, number]>> = {
  Int8: [-128, 127],
  Int16: [-32_768, 32_767],
  Int32: [-2_147_483_648, 2_147_483_647],
  Int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UInt8: [0, 255],
  UInt16: [0, 65_535],
  UInt32: [0, 4_294_967_295],
  UInt64: [0, Number.MAX_SAFE_INTEGER],
};
const float32Max = 3.4028234663852886e38;

/** Why `value` (in the device's units) cannot be written to a metric of this datatype, as its birth defined it. */
export function checkMetricValue(value: number, datatype: DataType): string | undefined {
  if (!Number.isFinite(value)) return `${value} is not a finite number`;
  const range = integerRanges[datatype];
  if (range) {
    if (!Number.isInteger(value)) return `${value} is not a whole number, and the metric is ${datatype}`;
    if (value < range[0] || value > range[1]) return `${value} is outside ${datatype} (${range[0]} to ${range[1]})`;
    return undefined;
  }
  if (datatype === 'Boolean') return value === 0 || value === 1 ? undefined : `a Boolean metric takes 0 or 1, not ${value}`;
  if (datatype === 'Float') return Math.abs(value) <= float32Max ? undefined : `${value} is outside Float`;
  if (datatype === 'Double') return undefined;
  return `the metric is ${datatype}: commands write numbers and switches only`;
}
