import type { WellTestQuantity } from '#contracts';
import type { Stabilisation } from '../../config/well-test-rules.ts';

export interface Reading {
  t: number;
  value: number;
}

/** A test's readings per quantity, each oldest first. */
export type TestReadings = Partial<Record<WellTestQuantity, readonly Reading[]>>;

export interface Judgement {
  steady: boolean;
  /** Why the test is not steady yet, one sentence per reason; empty once steady. */
  waitingFor: string[];
  /** Mean of each judged quantity over the window. */
  averages: Partial<Record<WellTestQuantity, number>>;
  /** Minutes from the start to the newest reading. */
  elapsedMinutes: number;
  /** The newest reading's time: what the judgement describes. */
  at: number | undefined;
}

const labels: Record<WellTestQuantity, string> = {
  oilRate: 'oil rate',
  gasRate: 'gas rate',
  waterRate: 'water rate',
  bottomholePressure: 'bottom-hole pressure',
  wellheadPressure: 'wellhead pressure',
};
const rates = ['oilRate', 'gasRate', 'waterRate'] as const;
const minuteMs = 60_000;
const hourMs = 3_600_000;
const fmt = (n: number) => (Math.round(n * 10) / 10).toFixed(1);

/**
 * Judges a running test by its readings (their own times, not the clock's: a backlog replayed
 * late judges as it would have live). Judged are the oil rate, the gas and water rates when
 * the test measures them, and one pressure: the bottom-hole one when the well has a gauge,
 * else the wellhead's. Each, over the window ending at the newest reading of any quantity:
 * no gap longer than maxGapMinutes (the window's edges count, so a quantity that went
 * silent is a gap), variation (max − min) / mean under its percentage, and the least-squares
 * slope, as a percentage of the mean per hour, under its trend limit.
 */
export function judgeStability(
  rule: Stabilisation,
  test: { startedAt: number; plannedMinutes: number },
  readings: TestReadings,
): Judgement {
  const at = newest(readings);
  const waitingFor: string[] = [];
  const averages: Judgement['averages'] = {};
  if (at === undefined) return { steady: false, waitingFor: ['no readings yet'], averages, elapsedMinutes: 0, at };

  const elapsedMinutes = Math.max(0, (at - test.startedAt) / minuteMs);
  const needed = Math.max(test.plannedMinutes, rule.windowMinutes);
  if (elapsedMinutes < needed) waitingFor.push(`only ${Math.floor(elapsedMinutes)} of ${needed} minutes`);

  const pressure: WellTestQuantity = readings.bottomholePressure?.length ? 'bottomholePressure' : 'wellheadPressure';
  const judged: WellTestQuantity[] = ['oilRate', ...rates.filter((q) => q !== 'oilRate' && readings[q]?.length), pressure];
  // Before the start there is nothing to miss: a window longer than the test so far is judged from the start.
  const from = Math.max(test.startedAt, at - rule.windowMinutes * minuteMs);
  for (const quantity of judged) {
    const label = labels[quantity];
    const isRate = (rates as readonly string[]).includes(quantity);
    const inWindow = (readings[quantity] ?? []).filter((r) => r.t >= from && r.t <= at);
    if (inWindow.length === 0) {
      waitingFor.push(`no ${label} reading over the last ${rule.windowMinutes} min`);
      continue;
    }
    const mean = inWindow.reduce((sum, r) => sum + r.value, 0) / inWindow.length;
    averages[quantity] = mean;

    const gap = longestGap(inWindow, from, at);
    if (gap > rule.maxGapMinutes * minuteMs)
      waitingFor.push(
        `${label} had no reading for ${fmt(gap / minuteMs)} min of the last ${rule.windowMinutes} min, needs one at least every ${rule.maxGapMinutes} min`,
      );
    if (mean <= 0) {
      waitingFor.push(`${label} averaged ${fmt(mean)} over the last ${rule.windowMinutes} min: the well is not flowing`);
      continue;
    }
    const values = inWindow.map((r) => r.value);
    const variation = ((Math.max(...values) - Math.min(...values)) / mean) * 100;
    const limit = isRate ? rule.rateVariationPercent : rule.pressureVariationPercent;
    if (variation >= limit)
      waitingFor.push(`${label} varied ${fmt(variation)} % over the last ${rule.windowMinutes} min, needs < ${limit} %`);

    const trend = inWindow.length >= 2 ? ((slopePerMs(inWindow) * hourMs) / mean) * 100 : 0;
    const trendLimit = isRate ? rule.rateTrendPercentPerHour : rule.pressureTrendPercentPerHour;
    if (Math.abs(trend) >= trendLimit)
      waitingFor.push(
        `${label} is ${trend > 0 ? 'rising' : 'falling'} ${fmt(Math.abs(trend))} %/h over the last ${rule.windowMinutes} min, needs within ±${trendLimit} %/h`,
      );
  }
  // What is measured but not judged (the wellhead pressure beside a bottom-hole gauge) is still reported.
  for (const [quantity, series] of Object.entries(readings) as [WellTestQuantity, readonly Reading[]][]) {
    const inWindow = judged.includes(quantity) ? [] : series.filter((r) => r.t >= from && r.t <= at);
    if (inWindow.length > 0) averages[quantity] = inWindow.reduce((sum, r) => sum + r.value, 0) / inWindow.length;
  }
  return { steady: waitingFor.length === 0, waitingFor, averages, elapsedMinutes, at };
}

function newest(readings: TestReadings): number | undefined {
  let at: number | undefined;
  for (const series of Object.values(readings)) {
    const last = series?.[series.length - 1];
    if (last && (at === undefined || last.t > at)) at = last.t;
  }
  return at;
}

/** The longest stretch of [from, to] without a reading, edges included. */
function longestGap(inWindow: readonly Reading[], from: number, to: number): number {
  let gap = 0;
  let previous = from;
  for (const r of inWindow) {
    gap = Math.max(gap, r.t - previous);
    previous = r.t;
  }
  return Math.max(gap, to - previous);
}

/** Ordinary least-squares slope of value over time. */
function slopePerMs(points: readonly Reading[]): number {
  const n = points.length;
  const meanT = points.reduce((s, p) => s + p.t, 0) / n;
  const meanV = points.reduce((s, p) => s + p.value, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - meanT) * (p.value - meanV);
    den += (p.t - meanT) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
