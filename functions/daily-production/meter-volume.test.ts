import { describe, expect, it } from 'vitest';
import { rateVolume, totalizerIncrement, totalizerVolume } from './meter-volume.ts';
import { boundsOfDay } from './production-day.ts';

const h = 3_600_000;
const r = (hours: number, value: number) => ({ t: hours * h, value });

describe('totalizer volume', () => {
  it('is the difference of readings, the intervals that cross the contract hour split by time', () => {
    // 1000 → 1100 over 23:00–01:00 puts 50 in the day; 500 and 550 inside; 2150 → 2250 over 23:00–01:00 puts 50.
    const readings = [r(-1, 1000), r(1, 1100), r(12, 1600), r(23, 2150), r(25, 2250)];
    expect(totalizerVolume(readings, 0, 24 * h, {})).toEqual({ volume: 1150, rollovers: 0, resets: 0, samples: 3, uncoveredHours: 0 });
    // The day before and the day after get the other halves: nothing counted twice.
    expect(totalizerVolume(readings, -24 * h, 0, {}).volume).toBe(50);
    expect(totalizerVolume(readings, 24 * h, 48 * h, {}).volume).toBe(50);
  });

  it('adds across a rollover: 99 990 → 60 on a register wrapping at 100 000 is 70', () => {
    const readings = [r(0, 99_900), r(6, 99_990), r(12, 60), r(24, 300)];
    // 90 + (100000 − 99990 + 60) + 240
    expect(totalizerVolume(readings, 0, 24 * h, { rolloverAt: 100_000 })).toMatchObject({ volume: 400, rollovers: 1, resets: 0 });
  });

  it('counts from zero after a reset: 5400 → 120 is 120, whether or not the register can wrap', () => {
    const readings = [r(0, 5000), r(8, 5400), r(16, 120), r(24, 520)];
    // 400 + 120 + 400
    expect(totalizerVolume(readings, 0, 24 * h, {})).toMatchObject({ volume: 920, rollovers: 0, resets: 1 });
    // 5400 is not in the top tenth of a 100 000 register: a fall from there is a reset, not a wrap.
    expect(totalizerVolume(readings, 0, 24 * h, { rolloverAt: 100_000 })).toMatchObject({ volume: 920, rollovers: 0, resets: 1 });
  });

  it('tells a wrap from a reset by the band', () => {
    expect(totalizerIncrement(95_000, 2_000, { rolloverAt: 100_000 })).toEqual({ volume: 7_000, kind: 'rollover' });
    expect(totalizerIncrement(95_000, 20_000, { rolloverAt: 100_000 })).toEqual({ volume: 20_000, kind: 'reset' });
    expect(totalizerIncrement(95_000, 20_000, { rolloverAt: 100_000, rolloverBand: 0.25 })).toEqual({ volume: 25_000, kind: 'rollover' });
  });

  it('leaves the hours before its first reading uncovered', () => {
    expect(totalizerVolume([r(6, 0), r(24, 900)], 0, 24 * h, {})).toMatchObject({ volume: 900, uncoveredHours: 6 });
  });
});

describe('rate volume (trapezoid rule)', () => {
  it('integrates a rate in bbl/d: 1000 bbl/d for 12 h, ramping to 0 over 6 h, then 0 is 625 bbl', () => {
    const readings = [r(0, 1000), r(12, 1000), r(18, 0), r(24, 0)];
    // 1000 × 12/24 + (1000 + 0)/2 × 6/24 = 500 + 125
    expect(rateVolume(readings, 0, 24 * h, 12 * h)).toEqual({ volume: 625, samples: 3, uncoveredHours: 0 });
  });

  it('interpolates the rate at the contract hour', () => {
    // 0 at 22:00, 960 at 02:00: 480 at midnight; the day gets (480 + 960)/2 × 2/24 = 60, then 960 × 22/24 = 880.
    const readings = [r(-2, 0), r(2, 960), r(24, 960)];
    expect(rateVolume(readings, 0, 24 * h, 24 * h).volume).toBeCloseTo(940, 9);
  });

  it('does not bridge a gap longer than the limit: those hours are uncovered', () => {
    const readings = [r(0, 1200), r(6, 1200), r(12, 1200), r(24, 1200)];
    // With a 7 h limit 00–06 and 06–12 are bridged (1200 × 12/24 = 600) and the 12 h silence after is not.
    expect(rateVolume(readings, 0, 24 * h, 7 * h)).toMatchObject({ volume: 600, uncoveredHours: 12 });
    expect(rateVolume(readings, 0, 24 * h, 12 * h)).toMatchObject({ volume: 1200, uncoveredHours: 0 });
  });

  it('gives 2300 bbl on the 23-hour day and 2500 on the 25-hour one at a steady 2400 bbl/d', () => {
    const newYork = { timeZone: 'America/New_York', startMinute: 360 };
    for (const [day, expected] of [
      ['2026-03-07', 2300],
      ['2026-10-31', 2500],
    ] as const) {
      const { start, end } = boundsOfDay(day, newYork);
      const readings = Array.from({ length: 28 }, (_, i) => ({ t: start - h + i * h, value: 2400 }));
      expect(rateVolume(readings, start, end, 2 * h).volume).toBeCloseTo(expected, 9);
    }
  });
});
