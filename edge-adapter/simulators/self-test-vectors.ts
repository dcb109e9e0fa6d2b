import type { Endianness, ModbusDataType } from '../modbus/register-codec.ts';

/**
 * Known register vectors: literal words, as a device in each layout sends them, and
 * the value they stand for (worked out independently of the codec, with Python's
 * `struct`). The simulator serves them from `selfTestBase` on, in holding and input
 * registers alike, so a test reads them over the wire with every function code.
 */
export interface KnownVector {
  id: string;
  type: ModbusDataType;
  byteOrder: Endianness;
  wordOrder: Endianness;
  words: readonly number[];
  value: number | string;
  length?: number;
  bit?: number;
}

export const selfTestBase = 9000;

const float32 = 123.45600128173828; // 123.456 as the nearest float32

export const knownVectors: readonly KnownVector[] = [
  { id: 'f32-abcd', type: 'float32', byteOrder: 'big', wordOrder: 'big', words: [0x42f6, 0xe979], value: float32 },
  { id: 'f32-cdab', type: 'float32', byteOrder: 'big', wordOrder: 'little', words: [0xe979, 0x42f6], value: float32 },
  { id: 'f32-badc', type: 'float32', byteOrder: 'little', wordOrder: 'big', words: [0xf642, 0x79e9], value: float32 },
  { id: 'f32-dcba', type: 'float32', byteOrder: 'little', wordOrder: 'little', words: [0x79e9, 0xf642], value: float32 },
  { id: 'f32-neg-cdab', type: 'float32', byteOrder: 'big', wordOrder: 'little', words: [0x0000, 0xbe20], value: -0.15625 },
  { id: 'i32-abcd', type: 'int32', byteOrder: 'big', wordOrder: 'big', words: [0xf8a4, 0x32eb], value: -123456789 },
  { id: 'i32-cdab', type: 'int32', byteOrder: 'big', wordOrder: 'little', words: [0x32eb, 0xf8a4], value: -123456789 },
  { id: 'i32-badc', type: 'int32', byteOrder: 'little', wordOrder: 'big', words: [0xa4f8, 0xeb32], value: -123456789 },
  { id: 'i32-dcba', type: 'int32', byteOrder: 'little', wordOrder: 'little', words: [0xeb32, 0xa4f8], value: -123456789 },
  { id: 'u32-abcd', type: 'uint32', byteOrder: 'big', wordOrder: 'big', words: [0xb2d0, 0x5e00], value: 3000000000 },
  { id: 'u32-cdab', type: 'uint32', byteOrder: 'big', wordOrder: 'little', words: [0x5e00, 0xb2d0], value: 3000000000 },
  { id: 'u32-badc', type: 'uint32', byteOrder: 'little', wordOrder: 'big', words: [0xd0b2, 0x005e], value: 3000000000 },
  { id: 'u32-dcba', type: 'uint32', byteOrder: 'little', wordOrder: 'little', words: [0x005e, 0xd0b2], value: 3000000000 },
  { id: 'f64-abcd', type: 'float64', byteOrder: 'big', wordOrder: 'big', words: [0xc093, 0x4a45, 0x6d5c, 0xfaad], value: -1234.5678 },
  { id: 'f64-cdab', type: 'float64', byteOrder: 'big', wordOrder: 'little', words: [0xfaad, 0x6d5c, 0x4a45, 0xc093], value: -1234.5678 },
  { id: 'f64-badc', type: 'float64', byteOrder: 'little', wordOrder: 'big', words: [0x93c0, 0x454a, 0x5c6d, 0xadfa], value: -1234.5678 },
  { id: 'f64-dcba', type: 'float64', byteOrder: 'little', wordOrder: 'little', words: [0xadfa, 0x5c6d, 0x454a, 0x93c0], value: -1234.5678 },
  { id: 'i16-big', type: 'int16', byteOrder: 'big', wordOrder: 'big', words: [0xcfc7], value: -12345 },
  { id: 'i16-little', type: 'int16', byteOrder: 'little', wordOrder: 'big', words: [0xc7cf], value: -12345 },
  { id: 'u16-big', type: 'uint16', byteOrder: 'big', wordOrder: 'big', words: [0xd431], value: 54321 },
  { id: 'u16-little', type: 'uint16', byteOrder: 'little', wordOrder: 'big', words: [0x31d4], value: 54321 },
  { id: 'bool-word', type: 'bool', byteOrder: 'big', wordOrder: 'big', words: [0x0100], value: 1 },
  { id: 'bool-bit3', type: 'bool', byteOrder: 'big', wordOrder: 'big', words: [0x0008], value: 1, bit: 3 },
  { id: 'bool-bit2', type: 'bool', byteOrder: 'big', wordOrder: 'big', words: [0x0008], value: 0, bit: 2 },
  // 'WELL-7A' in four registers, NUL-padded: 'WE' 'LL' '-7' 'A\0'.
  {
    id: 'str-big',
    type: 'string',
    byteOrder: 'big',
    wordOrder: 'big',
    words: [0x5745, 0x4c4c, 0x2d37, 0x4100],
    value: 'WELL-7A',
    length: 4,
  },
  {
    id: 'str-little',
    type: 'string',
    byteOrder: 'little',
    wordOrder: 'big',
    words: [0x4557, 0x4c4c, 0x372d, 0x0041],
    value: 'WELL-7A',
    length: 4,
  },
];

/** Where each vector sits: one after the other from `selfTestBase`. */
export function knownVectorAddresses(): Map<string, number> {
  const addresses = new Map<string, number>();
  let address = selfTestBase;
  for (const vector of knownVectors) {
    addresses.set(vector.id, address);
    address += vector.words.length;
  }
  return addresses;
}

/** The self-test block as one array of words, starting at `selfTestBase`. */
export function knownVectorWords(): number[] {
  return knownVectors.flatMap((v) => v.words);
}

/** A fixed bit pattern served from coil and discrete input `selfTestBase` on. */
export const knownBits: readonly boolean[] = [
  true,
  false,
  true,
  true,
  false,
  false,
  true,
  false,
  false,
  true,
  false,
  true,
  true,
  true,
  false,
  true,
];
