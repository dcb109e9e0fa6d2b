import { describe, expect, it } from 'vitest';
import { knownVectors } from '../simulators/self-test-vectors.ts';
import { decodeRegisters, encodeRegisters, registerCount, representable } from './register-codec.ts';

describe('register codec', () => {
  for (const vector of knownVectors) {
    it(`decodes ${vector.id} (${vector.type}, bytes ${vector.byteOrder}, words ${vector.wordOrder})`, () => {
      expect(decodeRegisters(vector.words, vector)).toBe(vector.value);
      expect(registerCount(vector)).toBe(vector.words.length);
    });
    if (vector.bit === undefined && vector.id !== 'bool-word') {
      it(`encodes ${vector.id} back to the same words`, () => {
        expect(encodeRegisters(vector.value, vector)).toEqual(vector.words);
      });
    }
  }

  it('refuses values that do not fit the type instead of wrapping them', () => {
    expect(() => encodeRegisters(70000, { type: 'uint16', byteOrder: 'big', wordOrder: 'big' })).toThrow(/does not fit/);
    expect(() => encodeRegisters(-1, { type: 'uint32', byteOrder: 'big', wordOrder: 'big' })).toThrow(/does not fit/);
    expect(() => encodeRegisters(1.5, { type: 'int16', byteOrder: 'big', wordOrder: 'big' })).toThrow(/does not fit/);
    expect(() => encodeRegisters(2, { type: 'bool', byteOrder: 'big', wordOrder: 'big' })).toThrow(/does not fit/);
    expect(representable(1e39, 'float32')).toBe(false);
    expect(representable(1e39, 'float64')).toBe(true);
  });

  it('needs the full width of a value', () => {
    expect(() => decodeRegisters([0x42f6], { type: 'float32', byteOrder: 'big', wordOrder: 'big' })).toThrow(/needs 2 registers/);
  });
});
