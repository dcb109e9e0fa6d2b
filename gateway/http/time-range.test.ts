import { describe, expect, it } from 'vitest';
import { Instant, instantPattern, rangeOf } from './time-range.ts';

/**
 * An instant in a query is what the OpenAPI document says it is, no more: a value the
 * document admits parses, one it refuses is refused, and none of them can overflow a
 * Date (a 500) or a timestamp column (a 503) further in.
 */
describe('Instant', () => {
  const admitted = new RegExp(instantPattern);

  it('reads epoch milliseconds and ISO 8601 date-times with an offset', () => {
    expect(Instant.parse('1768032000000')).toBe(1768032000000);
    expect(Instant.parse('0')).toBe(0);
    expect(Instant.parse('2026-01-10T08:00:00Z')).toBe(Date.UTC(2026, 0, 10, 8));
    expect(Instant.parse('2026-01-10T08:00:00.123+05:30')).toBe(Date.UTC(2026, 0, 10, 2, 30, 0, 123));
    expect(Instant.parse('2026-01-10T08:00Z')).toBe(Date.UTC(2026, 0, 10, 8));
  });

  it('refuses what the document refuses, with a message that says what to send', () => {
    for (const text of ['99999999999999999999', '-5', '1e3', 'last tuesday', '2026-01-10', '2026-01-10T08:00:00', '2026-13-01T00:00:00Z']) {
      expect(admitted.test(text), text).toBe(false);
      const result = Instant.safeParse(text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(
        /^use epoch milliseconds or an ISO 8601 date-time with its offset, .*up to 13 digits/,
      );
    }
  });

  it('turns every value the document admits into a Date that can be printed', () => {
    for (const text of ['9999999999999', '1970-01-01T00:00:00-23:59', '9999-12-31T23:59:59.999999999+00:00', '2026-02-31T00:00:00Z']) {
      expect(admitted.test(text), text).toBe(true);
      const value = Instant.parse(text);
      expect(() => new Date(value).toISOString(), text).not.toThrow();
    }
  });
});

describe('rangeOf', () => {
  it('says when from is not before to, and when the span is too long', () => {
    expect(rangeOf({ from: 2000, to: 1000 }, 5000, 100, 10_000)).toEqual({
      error: 'from (1970-01-01T00:00:02.000Z) must be before to (1970-01-01T00:00:01.000Z)',
    });
    expect(rangeOf({ from: 0, to: 20_000 }, 5000, 100, 10_000)).toEqual({ error: expect.stringMatching(/spans more than/) });
    expect(rangeOf({}, 5000, 100, 10_000)).toEqual({ from: 4900, to: 5000 });
  });
});
