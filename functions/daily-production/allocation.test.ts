import { describe, expect, it } from 'vitest';
import { allocate } from './allocation.ts';
import { roundVolume } from './field-day.ts';

describe('test-based allocation', () => {
  it('shares the fiscal volume by theoretical volume: allocated_i = fiscal × theoretical_i / Σ theoretical', () => {
    // Theoretical = test rate × uptime / 24: A 600 stb/d × 24 h = 600; B 450 × 12 h = 225; C 300 × 24 h = 300. Σ = 1125.
    const theoretical = new Map([
      ['a', 600],
      ['b', 225],
      ['c', 300],
    ]);
    const { allocation, shares } = allocate(1000, theoretical, roundVolume);
    // factor 1000 / 1125 = 0.888889; A 533.333, B 200, C 266.667: together 1000 exactly.
    expect(allocation).toEqual({ allocated: true, fiscal: 1000, theoreticalTotal: 1125, factor: 0.888889 });
    expect(Object.fromEntries(shares)).toEqual({ a: 533.333, b: 200, c: 266.667 });
    expect([...shares.values()].reduce((s, v) => s + v, 0)).toBeCloseTo(1000, 9);
  });

  it('puts the rounding remainder on the largest share, so the shares add up to the fiscal volume', () => {
    const { shares } = allocate(
      100,
      new Map([
        ['a', 1],
        ['b', 1],
        ['c', 1],
      ]),
      roundVolume,
    );
    expect(Object.fromEntries(shares)).toEqual({ a: 33.334, b: 33.333, c: 33.333 });
  });

  it('allocates nothing while a well that was up has no test, and says which', () => {
    const result = allocate(
      1000,
      new Map([
        ['a', 600],
        ['b', undefined],
      ]),
      roundVolume,
    );
    expect(result.allocation).toEqual({ allocated: false, reason: expect.stringContaining('for b: enter a test') });
    expect(result.shares.size).toBe(0);
  });

  it('refuses to allocate a volume no well was up to produce, and a day the fiscal meter missed', () => {
    expect(allocate(50, new Map([['a', 0]]), roundVolume).allocation).toMatchObject({ allocated: false });
    expect(allocate(null, new Map([['a', 10]]), roundVolume).allocation).toMatchObject({
      allocated: false,
      reason: expect.stringMatching(/fiscal meter/),
    });
    expect(allocate(0, new Map([['a', 0]]), roundVolume).allocation).toEqual({
      allocated: true,
      fiscal: 0,
      theoreticalTotal: 0,
      factor: 0,
    });
  });
});
