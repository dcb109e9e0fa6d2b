import type { DailyProduction, MeteredVolume, PhaseAllocation, WellDay } from '#contracts';
import { type FieldAccounting, type Meter, metersOfWell, type Phase, type Phases, phases } from '../../config/production-accounting.ts';
import { allocate } from './allocation.ts';
import { type Reading, rateVolume, totalizerVolume } from './meter-volume.ts';
import type { DayBounds } from './production-day.ts';
import { hoursInStatuses, roundHours, type StatusStretch, uptimeOf } from './status-hours.ts';

/** A stored meter reading: whose asset (a well, or the field for its own equipment), which device and tag. */
export interface MeterReading extends Reading {
  assetId: string;
  deviceId: string;
  tagId: string;
}

/** The rates of a well test, per phase (oil stb/d, gas Mscf/d, water bbl/d). */
export interface TestRates {
  testId: string;
  endedAt: number;
  rates: Partial<Record<Phase, number>>;
}

export interface FieldDayInputs {
  tenantId: string;
  field: FieldAccounting;
  bounds: DayBounds;
  wells: { wellId: string; stretches: StatusStretch[]; test: TestRates | undefined }[];
  /** What each asset's meters measured (measureAsset): the wells', and the field's own (fiscal) under the field's id. */
  measured: ReadonlyMap<string, Partial<Record<Phase, MeteredVolume>>>;
}

/** The report's content: everything but its version, its time and what it revises (the store adds those). */
export type FieldDayContent = Omit<DailyProduction, 'version' | 'computedAt' | 'revises'>;

/** To a thousandth of a barrel or Mscf. */
export const roundVolume = (v: number) => Math.round(v * 1000) / 1000;

/**
 * A field's production day from its inputs: per well, the hours in each status and its
 * uptime, the volume each meter measured, the theoretical volume from its latest test, and its
 * share of the field's fiscal volume; per phase, the fiscal volume and how it was allocated.
 */
export function computeFieldDay(inputs: FieldDayInputs): FieldDayContent {
  const { field, bounds } = inputs;

  const wells: WellDay[] = inputs.wells.map(({ wellId, stretches, test }) => {
    const hoursInStatus = hoursInStatuses(stretches, bounds.start, bounds.end);
    const uptimeHours = uptimeOf(hoursInStatus, field.uptimeStatuses);
    const theoretical: Partial<Record<Phase, number>> = {};
    for (const phase of phases) {
      const rate = test?.rates[phase];
      if (rate !== undefined) theoretical[phase] = roundVolume((rate * uptimeHours) / 24);
    }
    return {
      wellId,
      hoursInStatus,
      uptimeHours,
      measured: inputs.measured.get(wellId) ?? {},
      ...(test ? { testId: test.testId } : {}),
      theoretical,
      allocated: {},
    };
  });

  const fiscal = inputs.measured.get(field.fieldId) ?? {};
  const allocation: Partial<Record<Phase, PhaseAllocation>> = {};
  for (const phase of phases) {
    const measured = fiscal[phase];
    if (!measured) continue;
    // A well down all day needs no test: its theoretical volume is 0 whatever its rate.
    const theoretical = new Map(wells.map((w) => [w.wellId, w.uptimeHours === 0 ? 0 : w.theoretical[phase]]));
    const result = allocate(measured.volume, theoretical, roundVolume);
    allocation[phase] = result.allocation;
    for (const well of wells) {
      const share = result.shares.get(well.wellId);
      if (share !== undefined) well.allocated[phase] = share;
    }
  }

  return {
    tenantId: inputs.tenantId,
    fieldId: field.fieldId,
    day: bounds.day,
    timeZone: field.timeZone,
    contractHour: field.contractHour,
    start: bounds.start,
    end: bounds.end,
    hours: bounds.hours,
    utcOffsetAtStart: bounds.offsetAtStart,
    utcOffsetAtEnd: bounds.offsetAtEnd,
    wells,
    fiscal,
    allocation,
  };
}

/** The meters of an asset of the field: a well's, or the field's own fiscal meters under its id. */
export const metersOfAsset = (field: FieldAccounting, assetId: string): Phases =>
  assetId === field.fieldId ? field.fiscal : metersOfWell(field, assetId);

/**
 * What an asset's meters measured in the day, from its readings around the day (any order).
 * One asset at a time, so that a field's day never holds all its wells' readings at once.
 */
export function measureAsset(meters: Phases, readings: readonly MeterReading[], bounds: DayBounds): Partial<Record<Phase, MeteredVolume>> {
  const byTag = new Map<string, MeterReading[]>();
  for (const r of readings) {
    const list = byTag.get(r.tagId);
    if (list) list.push(r);
    else byTag.set(r.tagId, [r]);
  }
  const readingsOf = (tag: { tagId: string; deviceId?: string | undefined }) =>
    (byTag.get(tag.tagId) ?? []).filter((r) => tag.deviceId === undefined || r.deviceId === tag.deviceId).sort((a, b) => a.t - b.t);
  const out: Partial<Record<Phase, MeteredVolume>> = {};
  for (const phase of phases) {
    const meter = meters[phase];
    if (meter) out[phase] = measure(meter, readingsOf, bounds);
  }
  return out;
}

/**
 * One phase through its meter: the totalizer when it has readings spanning part of the day,
 * else the rate integrated, else nothing (volume null, the whole day uncovered).
 */
function measure(
  meter: Meter,
  readingsOf: (tag: { tagId: string; deviceId?: string | undefined }) => Reading[],
  bounds: DayBounds,
): MeteredVolume {
  if (meter.totalizer) {
    const t = totalizerVolume(readingsOf(meter.totalizer), bounds.start, bounds.end, meter.totalizer);
    if (t.uncoveredHours < bounds.hours)
      return {
        method: 'totalizer',
        volume: roundVolume(t.volume),
        samples: t.samples,
        uncoveredHours: roundHours(t.uncoveredHours),
        rollovers: t.rollovers,
        resets: t.resets,
      };
  }
  if (meter.rate) {
    const r = rateVolume(readingsOf(meter.rate), bounds.start, bounds.end, meter.rate.maxGapMinutes * 60_000);
    if (r.uncoveredHours < bounds.hours)
      return { method: 'rate', volume: roundVolume(r.volume), samples: r.samples, uncoveredHours: roundHours(r.uncoveredHours) };
  }
  return { method: 'none', volume: null, samples: 0, uncoveredHours: bounds.hours };
}

/**
 * What changed from one version of a day to the next, in words an engineer reads in the
 * report's history ("norte-01 oil measured 812.4 → 815.9"); at most 50 lines.
 */
export function changesBetween(before: FieldDayContent, after: FieldDayContent): string[] {
  const lines: string[] = [];
  const show = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(v));
  const compare = (what: string, a: number | null | undefined, b: number | null | undefined) => {
    if (a !== b) lines.push(`${what} ${show(a)} → ${show(b)}`);
  };
  const previous = new Map(before.wells.map((w) => [w.wellId, w]));
  for (const well of after.wells) {
    const old = previous.get(well.wellId);
    compare(`${well.wellId} uptime hours`, old?.uptimeHours, well.uptimeHours);
    for (const phase of phases) {
      compare(`${well.wellId} ${phase} measured`, old?.measured[phase]?.volume, well.measured[phase]?.volume);
      compare(`${well.wellId} ${phase} allocated`, old?.allocated[phase], well.allocated[phase]);
    }
    if (old?.testId !== well.testId) lines.push(`${well.wellId} test ${old?.testId ?? '—'} → ${well.testId ?? '—'}`);
  }
  for (const phase of phases) compare(`fiscal ${phase}`, before.fiscal[phase]?.volume, after.fiscal[phase]?.volume);
  if (lines.length === 0) lines.push('meter coverage or sample counts');
  return lines.slice(0, 50);
}
