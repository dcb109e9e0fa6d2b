import { DataType } from 'node-opcua';

const integerRanges: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
};

/** Why a number cannot be written to a variable of this built-in type; undefined when it can. */
export function checkVariantValue(value: number, type: DataType): string | undefined {
  if (type === DataType.Boolean) return value === 0 || value === 1 ? undefined : `the node is a Boolean: write 0 or 1, not ${value}`;
  if (type === DataType.Double) return undefined;
  if (type === DataType.Float) return Math.abs(value) <= 3.4028234663852886e38 ? undefined : `${value} does not fit a Float`;
  const range = integerRanges[type];
  if (!range) return `writing a ${DataType[type]} node is not supported (numbers, integers and booleans are)`;
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) return `${value} does not fit the node's ${DataType[type]}`;
  return undefined;
}
