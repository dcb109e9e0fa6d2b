/**
 * The production day: the contract day a field reports on, from a contract hour of local
 * time to the same hour the next day (06:00 America/Bogota is 11:00 UTC to 11:00 UTC). It is
 * named by the calendar date on which it starts. Where the zone keeps daylight saving time,
 * the day that springs forward lasts 23 hours and the one that falls back 25: the bounds are
 * local clock times, so every hour of production falls in exactly one day.
 *
 * Local ↔ UTC goes through Intl (the zone database Node ships), without Temporal: the offset
 * of a zone at an instant is read from Intl, and a local time is resolved the way Temporal's
 * `disambiguation: 'compatible'` does: a time skipped by a spring-forward gap is taken as the
 * same clock reading after the gap (02:30 on a 02:00→03:00 night is 03:30), and a time that
 * happens twice on a fall-back night is the earlier of the two.
 */

export interface ContractDay {
  /** IANA time zone, e.g. America/Bogota (UTC−05:00 all year) or America/New_York. */
  timeZone: string;
  /** Local time the production day starts, minutes after midnight (06:00 → 360). */
  startMinute: number;
}

export interface DayBounds {
  /** YYYY-MM-DD: the local date on which the day starts. */
  day: string;
  start: number;
  end: number;
  /** 23, 24 or 25 (or other lengths in zones that shift by other amounts). */
  hours: number;
  /** The zone's UTC offset at the start and at the end, as ±HH:MM. */
  offsetAtStart: string;
  offsetAtEnd: string;
}

const minuteMs = 60_000;
const dayMs = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether Intl knows the zone: a configuration check, with the zone named in the caller's message. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall-clock reading at `instant`, as if it were UTC (milliseconds). */
function wallClockAt(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (((instant % 1000) + 1000) % 1000);
}

/** The zone's offset from UTC at `instant`, in milliseconds (Bogota: −5 h). */
export function utcOffsetAt(instant: number, timeZone: string): number {
  return wallClockAt(instant, timeZone) - instant;
}

export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / minuteMs);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The instant a local wall-clock reading (given as if it were UTC) happens in the zone.
 * Offset transitions are assumed at least two days apart, which every zone in the database is.
 */
export function instantOfWallClock(wallClock: number, timeZone: string): number {
  const before = utcOffsetAt(wallClock - dayMs, timeZone);
  const after = utcOffsetAt(wallClock + dayMs, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wallClock - offset)
    .filter((instant) => wallClockAt(instant, timeZone) === wallClock)
    .sort((a, b) => a - b);
  // None: the reading falls in a gap; taken with the offset before the gap, it lands after it.
  return candidates[0] ?? wallClock - before;
}

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar date as UTC midnight, or undefined for a string that is not a real date. */
export function dateToUtcMidnight(day: string): number | undefined {
  const match = datePattern.exec(day);
  if (!match) return undefined;
  const t = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(t).toISOString().slice(0, 10) === day ? t : undefined;
}

const dateOf = (utcMidnight: number) => new Date(utcMidnight).toISOString().slice(0, 10);

/** When the production day named `day` starts and ends, and how long it is. */
export function boundsOfDay(day: string, contract: ContractDay): DayBounds {
  const midnight = dateToUtcMidnight(day);
  if (midnight === undefined) throw new RangeError(`"${day}" is not a date: use YYYY-MM-DD`);
  const start = instantOfWallClock(midnight + contract.startMinute * minuteMs, contract.timeZone);
  const end = instantOfWallClock(midnight + dayMs + contract.startMinute * minuteMs, contract.timeZone);
  return {
    day,
    start,
    end,
    hours: (end - start) / 3_600_000,
    offsetAtStart: formatOffset(utcOffsetAt(start, contract.timeZone)),
    offsetAtEnd: formatOffset(utcOffsetAt(end, contract.timeZone)),
  };
}

/** The production day an instant belongs to. */
export function productionDayOf(instant: number, contract: ContractDay): DayBounds {
  const localMidnight = Math.floor(wallClockAt(instant, contract.timeZone) / dayMs) * dayMs;
  // The local date's day, or the one before when the instant comes before its contract hour.
  for (const midnight of [localMidnight, localMidnight - dayMs, localMidnight + dayMs]) {
    const bounds = boundsOfDay(dateOf(midnight), contract);
    if (instant >= bounds.start && instant < bounds.end) return bounds;
  }
  throw new RangeError(`no production day holds ${new Date(instant).toISOString()} in ${contract.timeZone}`);
}

/** The day after (or, with -1, before) a day's name. */
export function shiftDay(day: string, days: number): string {
  const midnight = dateToUtcMidnight(day);
  if (midnight === undefined) throw new RangeError(`"${day}" is not a date: use YYYY-MM-DD`);
  return dateOf(midnight + days * dayMs);
}
