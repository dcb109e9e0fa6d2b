import { describe, expect, it } from 'vitest';
import { CompactedMinute, CompactedMinuteValidated, minuteOf } from './compacted-minute.ts';

const T0 = Date.UTC(2026, 11, 6, 10, 0);
const piece: CompactedMinute = {
  deviceId: 'rtu-w01',
  tagId: 'tubing_pressure',
  sourceProtocol: 'MODBUS',
  firstTimestamp: T0,
  lastTimestamp: T0 + 59_999,
  count: 60,
  min: 840,
  max: 861,
  sum: 51_000,
  last: 850,
  worstQuality: 192,
};
const placed = { ...piece, status: 'good' as const, tenantId: 'acme-energy', receivedAt: T0 + 3_600_000 };
const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) => result.error?.issues.map((i) => i.message);

describe('CompactedMinute', () => {
  it('takes a piece within one minute whose last value lies between its min and max', () => {
    expect(CompactedMinute.parse(piece)).toEqual(piece);
    expect(CompactedMinuteValidated.parse(placed)).toEqual(placed);
    expect(minuteOf(T0 + 59_999)).toBe(T0);
  });

  it('refuses a piece that spans two minutes, runs backwards, or whose last is outside min–max, before and after validate', () => {
    for (const schema of [CompactedMinute, CompactedMinuteValidated]) {
      const base = schema === CompactedMinute ? piece : placed;
      expect(messages(schema.safeParse({ ...base, lastTimestamp: T0 + 60_000 }))).toEqual([
        'firstTimestamp and lastTimestamp must lie in one minute, first before last',
      ]);
      expect(messages(schema.safeParse({ ...base, firstTimestamp: T0 + 10, lastTimestamp: T0 + 5 }))).toEqual([
        'firstTimestamp and lastTimestamp must lie in one minute, first before last',
      ]);
      expect(messages(schema.safeParse({ ...base, last: 900 }))).toEqual(['min ≤ last ≤ max must hold']);
      expect(schema.safeParse({ ...base, count: 0 }).success).toBe(false);
      expect(schema.safeParse({ ...base, value: 1 }).success).toBe(false);
    }
  });
});
