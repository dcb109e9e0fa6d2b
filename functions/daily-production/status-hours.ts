import type { WellStatus } from '#contracts';

export interface StatusStretch {
  status: WellStatus;
  from: number;
  /** Absent: the well is still in it. */
  to?: number | undefined;
}

const hourMs = 3_600_000;

/** Whole microhours: sums read as 3.5, not 3.4999999999999996. */
export const roundHours = (hours: number) => Math.round(hours * 1e6) / 1e6;

/**
 * Hours in each status within [start, end), from a well's status stretches (persist's
 * timeline). Time before the well's first known status counts in none: its status was unknown.
 */
export function hoursInStatuses(stretches: readonly StatusStretch[], start: number, end: number): Partial<Record<WellStatus, number>> {
  const ms: Partial<Record<WellStatus, number>> = {};
  for (const s of stretches) {
    const inside = Math.min(s.to ?? end, end) - Math.max(s.from, start);
    if (inside > 0) ms[s.status] = (ms[s.status] ?? 0) + inside;
  }
  return Object.fromEntries(Object.entries(ms).map(([status, t]) => [status, roundHours(t / hourMs)]));
}

/** The hours a well was up: the sum over the statuses that count as uptime. */
export function uptimeOf(hours: Partial<Record<WellStatus, number>>, uptimeStatuses: readonly WellStatus[]): number {
  return roundHours(uptimeStatuses.reduce((sum, status) => sum + (hours[status] ?? 0), 0));
}
