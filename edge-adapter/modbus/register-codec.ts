/**
 * Modbus registers ⇄ values. A register is a 16-bit word; multi-register values are
 * assembled from words whose order (`wordOrder`) and inner byte order (`byteOrder`)
 * vary by vendor. The four common layouts, for the float32 0x42F6E979 (123.456):
 *
 *   byteOrder big,    wordOrder big    ABCD  [0x42F6, 0xE979]   (Modbus spec, most PLCs)
 *   byteOrder big,    wordOrder little CDAB  [0xE979, 0x42F6]   (many RTUs and flow computers)
 *   byteOrder little, wordOrder big    BADC  [0xF642, 0x79E9]
 *   byteOrder little, wordOrder little DCBA  [0x79E9, 0xF642]
 *
 * Strings are packed two characters per register, first character in the high byte
 * for byteOrder big; word order does not apply to them.
 */
export const ModbusDataTypes = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'] as const;
export type ModbusDataType = (typeof ModbusDataTypes)[number];
export type Endianness = 'big' | 'little';

export interface RegisterLayout {
  type: ModbusDataType;
  byteOrder: Endianness;
  wordOrder: Endianness;
  /** Registers of a string. */
  length?: number | undefined;
  /** A bool packed in one bit of a register (0 = least significant). */
  bit?: number | undefined;
}

const widths: Record<Exclude<ModbusDataType, 'string'>, number> = {
  bool: 1,
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
  float64: 4,
};

export function registerCount(layout: Pick<RegisterLayout, 'type' | 'length'>): number {
  return layout.type === 'string' ? (layout.length ?? 1) : widths[layout.type];
}

/** The words as a big-endian byte string (ABCD…), whatever the device's layout. */
function canonicalBytes(words: ArrayLike<number>, layout: RegisterLayout): Buffer {
  const count = words.length;
  const bytes = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    const word = (words[layout.wordOrder === 'little' ? count - 1 - i : i] ?? 0) & 0xffff;
    const hi = word >>> 8;
    const lo = word & 0xff;
    bytes[i * 2] = layout.byteOrder === 'big' ? hi : lo;
    bytes[i * 2 + 1] = layout.byteOrder === 'big' ? lo : hi;
  }
  return bytes;
}

/** The inverse of canonicalBytes: big-endian bytes → the words the device expects. */
function deviceWords(bytes: Buffer, layout: RegisterLayout): number[] {
  const count = bytes.length / 2;
  const words = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const a = bytes[i * 2] ?? 0;
    const b = bytes[i * 2 + 1] ?? 0;
    const word = layout.byteOrder === 'big' ? (a << 8) | b : (b << 8) | a;
    words[layout.wordOrder === 'little' ? count - 1 - i : i] = word;
  }
  return words;
}

/** Decodes the registers of one value. Throws when too few registers were given. */
export function decodeRegisters(words: ArrayLike<number>, layout: RegisterLayout): number | string {
  const needed = registerCount(layout);
  if (words.length < needed) throw new RangeError(`${layout.type} needs ${needed} registers, got ${words.length}`);
  if (layout.type === 'bool') {
    const word = (words[0] ?? 0) & 0xffff;
    return layout.bit === undefined ? (word === 0 ? 0 : 1) : (word >>> layout.bit) & 1;
  }
  if (layout.type === 'string') {
    const bytes = canonicalBytes(words, { ...layout, wordOrder: 'big' });
    // Devices pad with NUL or spaces; neither is part of the text.
    return bytes.toString('latin1').replace(/[\0 ]+$/, '');
  }
  const bytes = canonicalBytes(words, layout);
  switch (layout.type) {
    case 'int16':
      return bytes.readInt16BE(0);
    case 'uint16':
      return bytes.readUInt16BE(0);
    case 'int32':
      return bytes.readInt32BE(0);
    case 'uint32':
      return bytes.readUInt32BE(0);
    case 'float32':
      return bytes.readFloatBE(0);
    case 'float64':
      return bytes.readDoubleBE(0);
  }
}

const integerRanges = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
} as const;

/** Whether a raw value fits the type, so that a write never wraps around or truncates silently. */
export function representable(raw: number, type: Exclude<ModbusDataType, 'string'>): boolean {
  if (!Number.isFinite(raw)) return false;
  if (type === 'bool') return raw === 0 || raw === 1;
  if (type === 'float64') return true;
  if (type === 'float32') return Math.abs(raw) <= 3.4028234663852886e38;
  const [min, max] = integerRanges[type];
  return Number.isInteger(raw) && raw >= min && raw <= max;
}

/** Encodes one value into the registers the device expects. Throws when it does not fit. */
export function encodeRegisters(value: number | string, layout: RegisterLayout): number[] {
  if (layout.type === 'string') {
    const length = registerCount(layout);
    const bytes = Buffer.alloc(length * 2);
    bytes.write(String(value).slice(0, length * 2), 'latin1');
    return deviceWords(bytes, { ...layout, wordOrder: 'big' });
  }
  if (typeof value !== 'number' || !representable(value, layout.type)) {
    throw new RangeError(`${JSON.stringify(value)} does not fit a ${layout.type}`);
  }
  if (layout.type === 'bool') {
    if (layout.bit !== undefined) throw new RangeError('a bool packed in a register bit cannot be written on its own');
    return [value];
  }
  const bytes = Buffer.alloc(registerCount(layout) * 2);
  switch (layout.type) {
    case 'int16':
      bytes.writeInt16BE(value, 0);
      break;
    case 'uint16':
      bytes.writeUInt16BE(value, 0);
      break;
    case 'int32':
      bytes.writeInt32BE(value, 0);
      break;
    case 'uint32':
      bytes.writeUInt32BE(value, 0);
      break;
    case 'float32':
      bytes.writeFloatBE(value, 0);
      break;
    case 'float64':
      bytes.writeDoubleBE(value, 0);
      break;
  }
  return deviceWords(bytes, layout);
}
