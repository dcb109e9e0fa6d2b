import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompactedMinute, CompactedMinuteValidated } from '#contracts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';

// In-process Redis, as in handler.test.ts: compacted minutes must not touch it at all.
const redis = new RedisMock() as unknown as Redis;
let bed: TestBed;
let minute0 = 0;

beforeEach(async () => {
  minute0 = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000; // from an outage three hours back
  await redis.flushall();
  bed = await createTestBed({ functions: [await loadFunction('functions/validate')], redis, partitions: 1 });
});
afterEach(() => bed.stop());

const piece = (overrides: Partial<CompactedMinute> = {}): CompactedMinute => ({
  deviceId: 'rtu-w01',
  tagId: 'tubing_pressure',
  sourceProtocol: 'MODBUS',
  firstTimestamp: minute0 + 1_000,
  lastTimestamp: minute0 + 59_000,
  count: 59,
  min: 840,
  max: 861,
  sum: 59 * 850,
  last: 852,
  worstQuality: 192,
  ...overrides,
});

describe('validate: compacted minutes', () => {
  it('passes them on placed and judged by their worst quality, never into history or current values', async () => {
    bed.publish('scada.telemetry.compacted', piece(), { key: 'rtu-w01' });
    bed.publish(
      'scada.telemetry.compacted',
      piece({ firstTimestamp: minute0 + 61_000, lastTimestamp: minute0 + 62_000, worstQuality: 84 }),
      {
        key: 'rtu-w01',
      },
    );
    bed.publish(
      'scada.telemetry.compacted',
      piece({ firstTimestamp: minute0 + 121_000, lastTimestamp: minute0 + 121_000, worstQuality: 24 }),
      {
        key: 'rtu-w01',
      },
    );
    await bed.drained();
    const out = bed.events<CompactedMinuteValidated>('scada.telemetry.compacted.validated').map((e) => e.data);
    expect(out.map((m) => m.status)).toEqual(['good', 'suspect', 'bad']);
    expect(out[0]).toMatchObject({ ...piece(), unit: 'psi', tenantId: 'acme-energy', fieldId: 'campo-norte', wellId: 'norte-01' });
    expect(bed.events('scada.telemetry.validated')).toEqual([]);
    expect(await redis.keys('*')).toEqual([]);
  });

  it('dead-letters a minute of an unknown device, one outside the clock bound, and one that breaks the contract', async () => {
    bed.publish('scada.telemetry.compacted', piece({ deviceId: 'rtu-unknown' }), { key: 'rtu-unknown' });
    const old = Math.floor((Date.now() - 40 * 86_400_000) / 60_000) * 60_000;
    bed.publish('scada.telemetry.compacted', piece({ firstTimestamp: old, lastTimestamp: old + 1 }), { key: 'rtu-w01' });
    bed.publish('scada.telemetry.compacted', piece({ lastTimestamp: minute0 + 60_000 }), { key: 'rtu-w01' });
    bed.publish('scada.telemetry.compacted', piece(), { key: 'rtu-w01' });
    await bed.drained();
    const reasons = bed.deadLetters('scada.telemetry.compacted').map((l) => l.headers[deadLetterHeader.reason]);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/device "rtu-unknown" is not in the asset registry/);
    expect(reasons[1]).toMatch(/outside the clock bound .*raise clock\.maxBehindSeconds/);
    expect(reasons[2]).toMatch(/firstTimestamp and lastTimestamp must lie in one minute/);
    expect(bed.events('scada.telemetry.compacted.validated')).toHaveLength(1);
  });
});
