import { describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { decodeSparkplug, encodeSparkplug, rebirthCommand, writeCommand } from './sparkplug-payload.ts';

describe('the Sparkplug B payload as the host reads it', () => {
  it('turns every numeric datatype into a number, 64-bit and negative values included', () => {
    const decoded = decodeSparkplug(
      encodeSparkplug({
        timestamp: 1_767_000_000_000,
        seq: 7,
        metrics: [
          { name: 'i64', type: 'Int64', value: -5 },
          { name: 'u64', type: 'UInt64', value: 123_456_789_012 },
          { name: 'u32', type: 'UInt32', value: 4_000_000_000 },
          { name: 'i8', type: 'Int8', value: -5 },
          { name: 'f', type: 'Float', value: 1.5 },
          { name: 'b', type: 'Boolean', value: true },
          { name: 't', type: 'DateTime', value: 1_767_000_000_123 },
        ],
      }),
    );
    expect(decoded.timestamp).toBe(1_767_000_000_000);
    expect(decoded.seq).toBe(7);
    expect(decoded.metrics.map((m) => [m.name, m.value, m.quality])).toEqual([
      ['i64', -5, Quality.GOOD],
      ['u64', 123_456_789_012, Quality.GOOD],
      ['u32', 4_000_000_000, Quality.GOOD],
      ['i8', -5, Quality.GOOD],
      ['f', 1.5, Quality.GOOD],
      ['b', 1, Quality.GOOD],
      ['t', 1_767_000_000_123, Quality.GOOD],
    ]);
  });

  it('takes quality from the Quality property, calls null bad and text not numeric', () => {
    const decoded = decodeSparkplug(
      encodeSparkplug({
        metrics: [
          { name: 'uncertain', type: 'Float', value: 1, properties: { Quality: { type: 'Int32', value: 84 } } },
          { name: 'bad', type: 'Float', value: 1, properties: { Quality: { type: 'Int32', value: 0 } } },
          { name: 'ignition-500', type: 'Float', value: 1, properties: { Quality: { type: 'Int32', value: 500 } } },
          { name: 'null', type: 'Double', value: null },
          { name: 'text', type: 'String', value: 'SEP-01' },
        ],
      }),
    );
    expect(decoded.metrics.map((m) => [m.name, m.value, m.quality, m.notNumeric])).toEqual([
      ['uncertain', 1, Quality.UNCERTAIN_EU_EXCEEDED, false],
      ['bad', 1, Quality.BAD, false],
      ['ignition-500', 1, Quality.UNCERTAIN, false], // another scale: neither trusted nor dropped
      ['null', undefined, Quality.BAD, false],
      ['text', undefined, Quality.BAD_CONFIG_ERROR, true],
    ]);
  });

  it('throws on bytes that are not a payload, so the host can count them', () => {
    expect(() => decodeSparkplug(Buffer.from('{"not":"sparkplug"}'))).toThrow();
  });

  it('writes commands the node can read: a rebirth, and a metric in its own datatype by name and alias', () => {
    expect(decodeSparkplug(rebirthCommand(1)).metrics).toMatchObject([{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: 1 }]);
    const write = decodeSparkplug(writeCommand({ name: 'Separator/LevelSetpoint', alias: 6, datatype: 'UInt16' }, 555, 2));
    expect(write.metrics).toMatchObject([{ name: 'Separator/LevelSetpoint', alias: 6, datatype: 'UInt16', value: 555 }]);
    expect(decodeSparkplug(writeCommand({ name: 'Run', alias: undefined, datatype: 'Boolean' }, 1, 3)).metrics[0]?.value).toBe(1);
  });
});
