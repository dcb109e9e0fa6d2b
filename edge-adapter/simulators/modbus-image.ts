import type { ModbusTable } from '../config/modbus-device.ts';
import { decodeRegisters, encodeRegisters, registerCount } from '../modbus/register-codec.ts';
import { type RegisterPoint, registerMap, wellheadUnit } from './modbus-register-map.ts';
import { knownBits, knownVectorWords, selfTestBase } from './self-test-vectors.ts';
import type { WellPad } from './well-pad.ts';

/** A Modbus exception the simulated device answers with. */
export class ModbusException extends Error {
  readonly modbusErrorCode: number;

  constructor(code: 2 | 3 | 4, message: string) {
    super(message);
    this.name = 'ModbusException';
    this.modbusErrorCode = code;
  }
}

/** Scratch memory a test may write anything to, with any write function (unit 1). */
export const scratchBase = 9500;
export const scratchSize = 100;
/** A block of changing registers for throughput benchmarks (unit 1, input registers). */
export const benchBase = 20000;
export const benchSize = 10000;
/** How many reads have covered input register `pollCounterAddress` of unit 1 (uint32, big-endian). */
export const pollCounterAddress = 60000;

type Key = `${number}:${ModbusTable}`;
const key = (unit: number, table: ModbusTable): Key => `${unit}:${table}`;

/**
 * The register image of the simulated devices: what a read of any address returns, and
 * what a write does. Unmapped addresses answer exception 2 (illegal data address), as a
 * real device does, and a bad-quality fault answers exception 4 (device failure).
 */
export class ModbusImage {
  private readonly pad: WellPad;
  private readonly points = new Map<Key, Map<number, { point: RegisterPoint; index: number }>>();
  private readonly scratchWords = new Array<number>(scratchSize).fill(0);
  private readonly scratchBits = new Array<boolean>(scratchSize).fill(false);
  private pollCount = 0;

  constructor(pad: WellPad) {
    this.pad = pad;
    for (const point of registerMap) {
      const width = point.table === 'coil' || point.table === 'discrete-input' ? 1 : registerCount(point);
      let byAddress = this.points.get(key(point.unit, point.table));
      if (!byAddress) {
        byAddress = new Map();
        this.points.set(key(point.unit, point.table), byAddress);
      }
      for (let i = 0; i < width; i++) byAddress.set(point.address + i, { point, index: i });
    }
  }

  readRegisters(unit: number, table: 'holding-register' | 'input-register', address: number, count: number, now = Date.now()): number[] {
    const words = new Array<number>(count);
    const encoded = new Map<RegisterPoint, number[]>();
    for (let i = 0; i < count; i++) {
      const a = address + i;
      const special = this.specialWord(unit, table, a, now);
      if (special !== undefined) {
        words[i] = special;
        continue;
      }
      const hit = this.points.get(key(unit, table))?.get(a);
      if (!hit) throw new ModbusException(2, `unit ${unit} has no ${table} ${a}`);
      let pointWords = encoded.get(hit.point);
      if (!pointWords) {
        pointWords = this.encode(hit.point, now);
        encoded.set(hit.point, pointWords);
      }
      words[i] = pointWords[hit.index] ?? 0;
    }
    if (unit === wellheadUnit && table === 'input-register' && address <= pollCounterAddress && address + count > pollCounterAddress)
      this.pollCount += 1;
    return words;
  }

  readBit(unit: number, table: 'coil' | 'discrete-input', address: number, now = Date.now()): boolean {
    if (unit === wellheadUnit && address >= selfTestBase && address < selfTestBase + knownBits.length)
      return knownBits[address - selfTestBase] ?? false;
    if (unit === wellheadUnit && table === 'coil' && address >= scratchBase && address < scratchBase + scratchSize)
      return this.scratchBits[address - scratchBase] ?? false;
    const hit = this.points.get(key(unit, table))?.get(address);
    if (!hit) throw new ModbusException(2, `unit ${unit} has no ${table} ${address}`);
    const reading = this.pad.read(hit.point.source, now);
    if (!reading.good) throw new ModbusException(4, `${hit.point.source} failed`);
    return reading.value >= 0.5;
  }

  /** FC6 and FC16: registers written from `address` on. */
  writeRegisters(unit: number, address: number, words: readonly number[]): void {
    if (unit === wellheadUnit && address >= scratchBase && address + words.length <= scratchBase + scratchSize) {
      words.forEach((w, i) => {
        this.scratchWords[address - scratchBase + i] = w & 0xffff;
      });
      return;
    }
    const hit = this.points.get(key(unit, 'holding-register'))?.get(address);
    const point = hit?.point;
    if (!point || hit.index !== 0 || !point.writable || words.length !== registerCount(point)) {
      throw new ModbusException(2, `unit ${unit} holding register ${address} is not a writable setpoint of ${words.length} register(s)`);
    }
    const raw = decodeRegisters(words, point) as number;
    if (!this.pad.setpoint(point.source, raw * point.scale + point.offset))
      throw new ModbusException(3, `${point.source} does not accept that value`);
  }

  /** FC5 and FC15. */
  writeBit(unit: number, address: number, value: boolean): void {
    if (unit === wellheadUnit && address >= scratchBase && address < scratchBase + scratchSize) {
      this.scratchBits[address - scratchBase] = value;
      return;
    }
    const point = this.points.get(key(unit, 'coil'))?.get(address)?.point;
    if (!point?.writable) throw new ModbusException(2, `unit ${unit} coil ${address} is not writable`);
    if (!this.pad.setpoint(point.source, value ? 1 : 0)) throw new ModbusException(3, `${point.source} does not accept that value`);
  }

  /** Scratch memory as a test left it. */
  scratch(): { words: readonly number[]; bits: readonly boolean[] } {
    return { words: [...this.scratchWords], bits: [...this.scratchBits] };
  }

  private specialWord(unit: number, table: 'holding-register' | 'input-register', address: number, now: number): number | undefined {
    if (unit !== wellheadUnit) return undefined;
    const vectors = knownVectorWords();
    if (address >= selfTestBase && address < selfTestBase + vectors.length) return vectors[address - selfTestBase];
    if (table === 'holding-register' && address >= scratchBase && address < scratchBase + scratchSize)
      return this.scratchWords[address - scratchBase];
    if (table === 'input-register' && address >= benchBase && address < benchBase + benchSize)
      return (Math.floor(now / 100) + address) & 0xffff;
    if (table === 'input-register' && address === pollCounterAddress) return (this.pollCount + 1) >>> 16;
    if (table === 'input-register' && address === pollCounterAddress + 1) return (this.pollCount + 1) & 0xffff;
    return undefined;
  }

  private encode(point: RegisterPoint, now: number): number[] {
    if (point.type === 'string') return encodeRegisters(point.text ?? '', point);
    const reading = this.pad.read(point.source, now);
    if (!reading.good) throw new ModbusException(4, `${point.source} failed`);
    const raw = (reading.value - point.offset) / point.scale;
    const integer = point.type !== 'float32' && point.type !== 'float64';
    // A transmitter saturates at the ends of its range rather than wrapping around.
    const limits: Record<string, [number, number]> = {
      int16: [-32768, 32767],
      uint16: [0, 65535],
      int32: [-2147483648, 2147483647],
      uint32: [0, 4294967295],
      bool: [0, 1],
    };
    const [min, max] = limits[point.type] ?? [-Infinity, Infinity];
    return encodeRegisters(integer ? Math.min(max, Math.max(min, Math.round(raw))) : raw, point);
  }
}
