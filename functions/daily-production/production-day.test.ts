import { describe, expect, it } from 'vitest';
import { boundsOfDay, instantOfWallClock, productionDayOf, shiftDay, utcOffsetAt } from './production-day.ts';

const at = (iso: string) => Date.parse(iso);
const bogota = { timeZone: 'America/Bogota', startMinute: 6 * 60 };
const newYork = { timeZone: 'America/New_York', startMinute: 6 * 60 };

describe('production day', () => {
  it('runs 06:00 to 06:00 Bogota time: 11:00 to 11:00 UTC (UTC−05:00 all year), named by the date it starts', () => {
    expect(boundsOfDay('2026-03-08', bogota)).toEqual({
      day: '2026-03-08',
      start: at('2026-03-08T11:00:00Z'),
      end: at('2026-03-09T11:00:00Z'),
      hours: 24,
      offsetAtStart: '-05:00',
      offsetAtEnd: '-05:00',
    });
  });

  it('puts an instant before the contract hour in the day before', () => {
    expect(productionDayOf(at('2026-03-09T10:59:59.999Z'), bogota).day).toBe('2026-03-08');
    expect(productionDayOf(at('2026-03-09T11:00:00Z'), bogota).day).toBe('2026-03-09');
    // 01:00 local on the 1st of January is still the last production day of the year before.
    expect(productionDayOf(at('2027-01-01T06:00:00Z'), bogota).day).toBe('2026-12-31');
  });

  it('lasts 23 hours when the clocks spring forward (New York, 8 March 2026: 02:00 EST → 03:00 EDT)', () => {
    const day = boundsOfDay('2026-03-07', newYork);
    // 06:00 EST (UTC−05:00) = 11:00 UTC; 06:00 EDT (UTC−04:00) = 10:00 UTC.
    expect(day).toMatchObject({ start: at('2026-03-07T11:00:00Z'), end: at('2026-03-08T10:00:00Z'), hours: 23 });
    expect([day.offsetAtStart, day.offsetAtEnd]).toEqual(['-05:00', '-04:00']);
  });

  it('lasts 25 hours when they fall back (New York, 1 November 2026: 02:00 EDT → 01:00 EST)', () => {
    const day = boundsOfDay('2026-10-31', newYork);
    expect(day).toMatchObject({ start: at('2026-10-31T10:00:00Z'), end: at('2026-11-01T11:00:00Z'), hours: 25 });
    expect([day.offsetAtStart, day.offsetAtEnd]).toEqual(['-04:00', '-05:00']);
    expect(productionDayOf(at('2026-11-01T10:30:00Z'), newYork).day).toBe('2026-10-31');
  });

  it('resolves a contract hour the spring-forward gap skips to the same reading after it, and a repeated one to the first', () => {
    // 02:30 does not exist on 8 March 2026 in New York: it is taken as 03:30 EDT (07:30 UTC).
    expect(instantOfWallClock(at('2026-03-08T02:30:00Z'), 'America/New_York')).toBe(at('2026-03-08T07:30:00Z'));
    // 01:30 happens twice on 1 November 2026: 01:30 EDT (05:30 UTC) first.
    expect(instantOfWallClock(at('2026-11-01T01:30:00Z'), 'America/New_York')).toBe(at('2026-11-01T05:30:00Z'));
    // A day that starts at 02:30 on both sides of the gap is still 24 hours: 02:30 EST to 03:30 EDT.
    expect(boundsOfDay('2026-03-07', { timeZone: 'America/New_York', startMinute: 150 }).hours).toBe(24);
    expect(boundsOfDay('2026-03-08', { timeZone: 'America/New_York', startMinute: 150 }).hours).toBe(23);
  });

  it('reads half-hour offsets and southern-hemisphere summers (Adelaide: UTC+10:30 in January)', () => {
    expect(utcOffsetAt(at('2026-01-15T00:00:00Z'), 'Australia/Adelaide')).toBe(10.5 * 3_600_000);
    expect(boundsOfDay('2026-01-15', { timeZone: 'Australia/Adelaide', startMinute: 0 }).start).toBe(at('2026-01-14T13:30:00Z'));
  });

  it('refuses a day that is not a date', () => {
    expect(() => boundsOfDay('2026-02-30', bogota)).toThrow(/not a date/);
    expect(shiftDay('2026-02-28', 1)).toBe('2026-03-01');
  });
});
