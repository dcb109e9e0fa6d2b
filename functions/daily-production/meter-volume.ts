/**
 * A day's volume through a meter, from its samples: the difference of a totalizer's readings
 * (with its rollovers and resets), or the integral of a flow rate where no totalizer exists.
 *
 * Both cut at the day's bounds the same way: between two samples the volume is taken to flow
 * evenly (a totalizer) or the rate to change linearly (a rate), so the part of that interval
 * inside the day is counted in the day and the rest in its neighbour. Consecutive days thus add
 * up to the meter's total, with nothing counted twice or lost at the contract hour.
 */

export interface Reading {
  t: number;
  value: number;
}

export interface TotalizerSpec {
  /**
   * The reading at which the register wraps to zero (a 6-digit counter of barrels: 1000000; a
   * uint32 of 0.01 m³ in bbl: 4294967296 × 0.0628981). Absent: the register never wraps, and
   * every fall is a reset.
   */
  rolloverAt?: number | undefined;
  /**
   * How near the top and the bottom of the register a fall must go to be a rollover, as a
   * fraction of `rolloverAt` (default 0.1: from the top tenth to the bottom tenth). Any other
   * fall is a reset: the meter was replaced or zeroed, and counts again from zero.
   */
  rolloverBand?: number | undefined;
}

export interface TotalizerVolume {
  volume: number;
  rollovers: number;
  resets: number;
  /** Readings inside the day. */
  samples: number;
  /** Hours of the day no pair of readings spans: before the first, after the last known. */
  uncoveredHours: number;
}

export interface RateVolume {
  volume: number;
  samples: number;
  /** Hours of the day not integrated: no sample, or two samples further apart than the gap limit. */
  uncoveredHours: number;
}

const hourMs = 3_600_000;
const dayMs = 86_400_000;

/** What flowed between two consecutive readings of a totalizer, and whether the register wrapped or was reset. */
export function totalizerIncrement(
  before: number,
  after: number,
  spec: TotalizerSpec,
): { volume: number; kind: 'flow' | 'rollover' | 'reset' } {
  if (after >= before) return { volume: after - before, kind: 'flow' };
  const top = spec.rolloverAt;
  if (top !== undefined) {
    const band = (spec.rolloverBand ?? 0.1) * top;
    if (before >= top - band && after <= band) return { volume: top - before + after, kind: 'rollover' };
  }
  // Reset: the meter started again from zero at some moment between the two readings.
  return { volume: after, kind: 'reset' };
}

/** The overlap of [a, b) and [start, end), in ms. */
const overlap = (a: number, b: number, start: number, end: number) => Math.max(0, Math.min(b, end) - Math.max(a, start));

/**
 * The volume a totalizer counted in [start, end). `readings` are sorted by time and should
 * include the last one before the day and the first one after it, so the day's edges are
 * covered; each increment is spread evenly over its interval and cut at the bounds.
 */
export function totalizerVolume(readings: readonly Reading[], start: number, end: number, spec: TotalizerSpec): TotalizerVolume {
  let volume = 0;
  let rollovers = 0;
  let resets = 0;
  let covered = 0;
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1] as Reading;
    const b = readings[i] as Reading;
    const inside = overlap(a.t, b.t, start, end);
    if (b.t <= a.t || inside === 0) continue;
    const step = totalizerIncrement(a.value, b.value, spec);
    volume += (step.volume * inside) / (b.t - a.t);
    covered += inside;
    // A wrap or a reset is the day's when the interval it happened in ends inside the day.
    if (b.t > start && b.t <= end) {
      if (step.kind === 'rollover') rollovers++;
      if (step.kind === 'reset') resets++;
    }
  }
  return {
    volume,
    rollovers,
    resets,
    samples: readings.filter((r) => r.t >= start && r.t < end).length,
    uncoveredHours: (end - start - covered) / hourMs,
  };
}

/**
 * The volume a rate (units per day: bbl/d, Mscf/d) integrated over [start, end) by the
 * trapezoid rule. Two samples further apart than `maxGapMs` are not bridged: that stretch is
 * uncovered, since a meter silent that long says nothing about what flowed.
 */
export function rateVolume(readings: readonly Reading[], start: number, end: number, maxGapMs: number): RateVolume {
  let volume = 0;
  let covered = 0;
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1] as Reading;
    const b = readings[i] as Reading;
    if (b.t <= a.t || b.t - a.t > maxGapMs) continue;
    const from = Math.max(a.t, start);
    const to = Math.min(b.t, end);
    if (to <= from) continue;
    const rateAt = (t: number) => a.value + ((b.value - a.value) * (t - a.t)) / (b.t - a.t);
    volume += ((rateAt(from) + rateAt(to)) / 2) * ((to - from) / dayMs);
    covered += to - from;
  }
  return {
    volume,
    samples: readings.filter((r) => r.t >= start && r.t < end).length,
    uncoveredHours: (end - start - covered) / hourMs,
  };
}
