import { z } from '@hono/zod-openapi';

/** An instant in a query string: epoch milliseconds, or an ISO 8601 date-time. */
export const Instant = z
  .string()
  .transform((text, ctx) => {
    const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(value)) {
      ctx.addIssue({ code: 'custom', message: 'use epoch milliseconds or an ISO 8601 date-time such as 2026-01-10T08:00:00Z' });
      return z.NEVER;
    }
    return value;
  })
  .openapi({ type: 'string', example: '2026-01-10T08:00:00Z' });

/** `from`/`to` with a default span ending now; `from` must come before `to`. */
export function rangeOf(
  query: { from?: number | undefined; to?: number | undefined },
  now: number,
  defaultSpanMs: number,
  maxSpanMs: number,
) {
  const to = query.to ?? now;
  const from = query.from ?? to - defaultSpanMs;
  if (from >= to) return { error: `from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})` } as const;
  if (to - from > maxSpanMs)
    return { error: `the range spans more than ${Math.round(maxSpanMs / 86_400_000)} days: ask for less` } as const;
  return { from, to } as const;
}
