import { describe, expect, it } from 'vitest';
import { ModbusTag } from '../config/modbus-device.ts';
import { planReads } from './request-plan.ts';

const limits = { maxRegisters: 125, maxBits: 2000, maxGap: 0 };
const reg = (id: string, address: number, type = 'float32', table = 'holding-register') => ModbusTag.parse({ id, table, address, type });
const coil = (id: string, address: number) => ModbusTag.parse({ id, table: 'coil', address });

describe('planReads', () => {
  it('joins contiguous registers into one request and keeps each table apart', () => {
    const plan = planReads(
      [reg('a', 0), reg('b', 2), reg('c', 4, 'uint16'), reg('d', 0, 'int16', 'input-register'), coil('e', 0), coil('f', 1)],
      limits,
    );
    expect(plan.map((r) => [r.table, r.address, r.count, r.tags.map((t) => `${t.tag.id}@${t.offset}`).join(' ')])).toEqual([
      ['coil', 0, 2, 'e@0 f@1'],
      ['holding-register', 0, 5, 'a@0 b@2 c@4'],
      ['input-register', 0, 1, 'd@0'],
    ]);
  });

  it('splits at gaps unless maxGap allows spanning them', () => {
    const tags = [reg('a', 0), reg('b', 10)];
    expect(planReads(tags, limits)).toHaveLength(2);
    const spanned = planReads(tags, { ...limits, maxGap: 8 });
    expect(spanned).toHaveLength(1);
    expect(spanned[0]?.count).toBe(12);
  });

  it('never asks for more than 125 registers or 2000 bits in one request', () => {
    const registers = Array.from({ length: 200 }, (_, i) => reg(`r${i}`, i * 2)); // 400 contiguous registers
    const plan = planReads(registers, limits);
    expect(plan.map((r) => r.count)).toEqual([124, 124, 124, 28]); // a float32 never straddles two requests
    const coils = Array.from({ length: 4500 }, (_, i) => coil(`c${i}`, i));
    expect(planReads(coils, limits).map((r) => r.count)).toEqual([2000, 2000, 500]);
  });

  it('honours a device limit below the protocol one', () => {
    const plan = planReads(
      Array.from({ length: 10 }, (_, i) => reg(`r${i}`, i, 'uint16')),
      { ...limits, maxRegisters: 4 },
    );
    expect(plan.map((r) => r.count)).toEqual([4, 4, 2]);
  });

  it('serves overlapping views of the same registers from one read', () => {
    const plan = planReads(
      [reg('whole', 0, 'uint32'), ModbusTag.parse({ id: 'flag', table: 'holding-register', address: 1, type: 'bool', bit: 3 })],
      limits,
    );
    expect(plan).toHaveLength(1);
    expect(plan[0]?.tags.map((t) => [t.tag.id, t.offset, t.count])).toEqual([
      ['whole', 0, 2],
      ['flag', 1, 1],
    ]);
  });
});
