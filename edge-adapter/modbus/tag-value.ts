import type { ModbusDevice, ModbusTag } from '../config/modbus-device.ts';
import { encodeRegisters, type RegisterLayout, representable } from './register-codec.ts';

export function layoutOf(tag: ModbusTag, device: Pick<ModbusDevice, 'byteOrder' | 'wordOrder'>): RegisterLayout {
  return {
    type: tag.type ?? 'bool',
    byteOrder: tag.byteOrder ?? device.byteOrder,
    wordOrder: tag.wordOrder ?? device.wordOrder,
    length: tag.length,
    bit: tag.bit,
  };
}

/** Raw device value → engineering units. */
export function engineeringValue(raw: number, tag: Pick<ModbusTag, 'scale' | 'offset'>): number {
  return raw * tag.scale + tag.offset;
}

/** What a setpoint write puts on the wire: a coil state, or register words. */
export type WirePayload = { kind: 'coil'; state: boolean } | { kind: 'registers'; words: number[] };

/**
 * Engineering units → what the device stores, refusing (RangeError, with the reason)
 * rather than wrapping, truncating or silently rounding away a requested change.
 */
export function encodeSetpoint(value: number, tag: ModbusTag, device: Pick<ModbusDevice, 'byteOrder' | 'wordOrder'>): WirePayload {
  const layout = layoutOf(tag, device);
  const exact = (value - tag.offset) / tag.scale;
  if (layout.type === 'bool') {
    if (exact !== 0 && exact !== 1) throw new RangeError(`${tag.id} is a switch: write 0 or 1, not ${value}`);
    return tag.table === 'coil' ? { kind: 'coil', state: exact === 1 } : { kind: 'registers', words: encodeRegisters(exact, layout) };
  }
  if (layout.type === 'string') throw new RangeError(`${tag.id} is text and cannot be written`);
  const integer = layout.type !== 'float32' && layout.type !== 'float64';
  // The register holds whole steps of `scale`: round to the nearest step, but refuse a
  // value that falls between steps by more than float noise (the operator asked for a
  // resolution the device does not have).
  const raw = integer ? Math.round(exact) : exact;
  if (integer && Math.abs(raw - exact) > 1e-6 * Math.max(1, Math.abs(exact))) {
    throw new RangeError(`${tag.id} has a resolution of ${tag.scale}; ${value} is not a multiple of it`);
  }
  if (!representable(raw, layout.type)) throw new RangeError(`${value} does not fit ${tag.id} (a ${layout.type} with scale ${tag.scale})`);
  return { kind: 'registers', words: encodeRegisters(raw, layout) };
}
