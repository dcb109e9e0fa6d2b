import { z } from '@hono/zod-openapi';

// A calendar date from 1970 on, as the OpenAPI document states it; a day the month does not
// have (2026-02-30) passes the pattern and is refused by the handler with its own message.
export const calendarDatePattern = '^(19[7-9]\\d|[2-9]\\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';

/** A date in a query string or path, YYYY-MM-DD. */
export const CalendarDate = z
  .string()
  .regex(new RegExp(calendarDatePattern), 'use a date as YYYY-MM-DD, such as 2026-03-07')
  .openapi({ type: 'string', pattern: calendarDatePattern, example: '2026-03-07' });

/** Whether a pattern-valid date is one the calendar has. */
export const isCalendarDate = (date: string): boolean => {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === date;
};
