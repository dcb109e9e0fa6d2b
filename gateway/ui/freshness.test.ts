import { describe, expect, it } from 'vitest';
import { freshnessOf, qualityName } from './freshness.ts';

/** The rule behind every value on the console: a value that is not live never looks live. */
describe('freshnessOf', () => {
  const value = { timestamp: 100_000, status: 'good' as const, staleAfterMs: 30_000 };

  it('is live while younger than its limit and the link is up', () => {
    expect(freshnessOf(value, 129_999, true)).toBe('live');
    expect(freshnessOf(value, 130_000, true)).toBe('live');
  });

  it('is stale past its limit, whatever its quality and whether the link is up', () => {
    expect(freshnessOf(value, 130_001, true)).toBe('stale');
    expect(freshnessOf({ ...value, status: 'suspect' }, 130_001, true)).toBe('stale');
    expect(freshnessOf(value, 130_001, false)).toBe('stale');
  });

  it('is not live while the link is down, however young', () => {
    expect(freshnessOf(value, 100_001, false)).toBe('offline');
  });

  it('keeps bad values bad and suspect values suspect', () => {
    expect(freshnessOf({ ...value, status: 'bad' }, 100_001, true)).toBe('bad');
    expect(freshnessOf({ ...value, status: 'bad' }, 999_999, false)).toBe('bad');
    expect(freshnessOf({ ...value, status: 'suspect' }, 100_001, true)).toBe('suspect');
  });

  it('reads the OPC DA quality byte', () => {
    expect([192, 216, 64, 84, 0, 24].map(qualityName)).toEqual(['good', 'good', 'uncertain', 'uncertain', 'bad', 'bad']);
  });
});
