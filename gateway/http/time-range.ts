import { z } from '@hono/zod-openapi';
import { invalidBecause, problem } from './problem.ts';

// Epoch milliseconds of up to 13 digits (until 2286), or an ISO 8601 date-time with its offset from 1970 on.
// The handler accepts exactly what the document states: a client (or a fuzzer) holding to the document
// is never refused, and no accepted value overflows a Date (toISOString throws) or a timestamp column.
const epochMs = '\\d{1,13}';
const isoDateTime =
  '(19[7-9]\\d|[2-9]\\d{3})-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,9})?)?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)';
export const instantPattern = `^(${epochMs}|${isoDateTime})$`;
const instantMessage =
  'use epoch milliseconds or an ISO 8601 date-time with its offset, such as 2026-01-10T08:00:00Z (epoch milliseconds: up to 13 digits)';

/** An instant in a query string: epoch milliseconds, or an ISO 8601 date-time. */
export const Instant = z
  .string()
  .regex(new RegExp(instantPattern), instantMessage)
  .transform((text, ctx) => {
    const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: instantMessage });
      return z.NEVER;
    }
    return value;
  })
  .openapi({ type: 'string', pattern: instantPattern, example: '2026-01-10T08:00:00Z' });

/** The longest range a query may ask for: a year and a margin, so a year-over-year view fits in one. */
export const maxRangeDays = 400;

/** The 400 of a route with a range, in the document: JSON Schema cannot compare two parameters. */
export const rangeRefused = (maxDays = maxRangeDays) =>
  invalidBecause(`\`from\` is not before \`to\` (with their defaults), or the range spans more than ${maxDays} days`);

/** `from`/`to` with a default span ending now; `from` must come before `to`. */
export function rangeOf(
  query: { from?: number | undefined; to?: number | undefined },
  now: number,
  defaultSpanMs: number,
  maxSpanMs = maxRangeDays * 86_400_000,
) {
  const to = query.to ?? now;
  const from = query.from ?? to - defaultSpanMs;
  if (from >= to) return { error: `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})` } as const;
  if (to - from > maxSpanMs)
    return { error: `the range spans more than ${Math.round(maxSpanMs / 86_400_000)} days: ask for less` } as const;
  return { from, to } as const;
}

/** rangeOf, or the 400 that says what was wrong with the range. */
export function requireRange(query: { from?: number | undefined; to?: number | undefined }, now: number, defaultSpanMs: number) {
  const range = rangeOf(query, now, defaultSpanMs);
  if ('error' in range) throw problem(400, `invalid query: ${range.error}`);
  return range;
}
