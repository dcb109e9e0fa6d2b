import type { InputQuality, RigActivity, TorqueDragCalculated } from '#contracts';
import { currentValuesResultHeader } from '#contracts';
import type { TorqueDragModel } from '../../config/drilling-model.ts';
import type { RigReading } from './rig-activity.ts';
import { backCalculateFriction, buoyancyFactor, type Measured, type StringModel, torqueAndDrag } from './torque-drag.ts';

type FrictionPoint = TorqueDragCalculated['frictionTrend'][number];

const keepTrend = 50;
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

export const stringModelOf = (m: TorqueDragModel): StringModel => ({
  survey: m.survey,
  sections: m.sections,
  mudWeightPpg: m.mudWeightPpg,
  blockWeightLbf: m.blockWeightKlbf * 1000,
});

/**
 * The measurement the rig's activity makes comparable with the model: the hook load while
 * tripping out (pick-up) or in (slack-off), the torque while rotating off bottom. Drilling on
 * bottom is not: weight and torque at the bit are unknown to a surface model.
 */
function measurementOf(activity: RigActivity, reading: RigReading): Measured | undefined {
  const hook = reading.hookLoadKlbf;
  if (activity === 'tripping-out' && hook !== undefined) return { mode: 'tripping-out', hookLoadLbf: hook * 1000 };
  if (activity === 'tripping-in' && hook !== undefined) return { mode: 'tripping-in', hookLoadLbf: hook * 1000 };
  if (activity === 'rotating-off-bottom' && reading.surfaceTorqueKftLbf !== undefined)
    return { mode: 'rotating', torqueFtLbf: reading.surfaceTorqueKftLbf * 1000 };
  return undefined;
}

/**
 * Torque and drag at the reading's bit depth with the configured friction factor, the
 * measurement the activity allows with the friction factor it implies, and the trend of
 * those. A bit below the survey's last station is a RangeError (the caller skips it).
 */
export function torqueDragResult(
  well: { wellId: string; tenantId: string; fieldId: string | undefined },
  model: TorqueDragModel,
  reading: RigReading & { bitDepthFt: number },
  activity: RigActivity,
  input: { deviceId: string; quality: InputQuality; trend: readonly FrictionPoint[] },
  calculatedAt: number,
): { result: TorqueDragCalculated; trend: FrictionPoint[] } {
  const string = stringModelOf(model);
  const loads = torqueAndDrag(string, reading.bitDepthFt, model.frictionFactor);
  const measured = measurementOf(activity, reading);
  let trend = [...input.trend];
  let comparison: TorqueDragCalculated['measured'];
  if (measured) {
    const fit = backCalculateFriction(string, reading.bitDepthFt, measured);
    comparison = {
      mode: measured.mode,
      ...('hookLoadLbf' in measured
        ? { hookLoadKlbf: round(measured.hookLoadLbf / 1000, 2) }
        : { torqueKftLbf: round(measured.torqueFtLbf / 1000, 3) }),
      ...('frictionFactor' in fit ? { backCalculatedFrictionFactor: round(fit.frictionFactor, 3) } : { reason: fit.reason }),
    };
    if ('frictionFactor' in fit)
      trend = [
        ...trend,
        {
          timestamp: reading.timestamp,
          bitDepthFt: round(reading.bitDepthFt, 1),
          mode: measured.mode,
          frictionFactor: round(fit.frictionFactor, 3),
        },
      ].slice(-keepTrend);
  }
  const slope = trendPerThousandFt(trend);
  const result: TorqueDragCalculated = {
    ...currentValuesResultHeader(
      'torque-drag',
      well,
      { newestTimestamp: reading.timestamp, quality: input.quality, deviceId: input.deviceId },
      calculatedAt,
    ),
    activity,
    bitDepthFt: round(reading.bitDepthFt, 1),
    mudWeightPpg: model.mudWeightPpg,
    buoyancyFactor: round(buoyancyFactor(model.mudWeightPpg), 4),
    frictionFactor: model.frictionFactor,
    hookLoadTrippingOutKlbf: round(loads.trippingOutLbf / 1000, 2),
    hookLoadTrippingInKlbf: round(loads.trippingInLbf / 1000, 2),
    hookLoadRotatingKlbf: round(loads.rotatingLbf / 1000, 2),
    torqueRotatingKftLbf: round(loads.rotatingTorqueFtLbf / 1000, 3),
    ...(comparison ? { measured: comparison } : {}),
    frictionTrend: trend,
    ...(slope === undefined ? {} : { frictionTrendPerThousandFt: round(slope, 4) }),
  };
  return { result, trend };
}

/** Least-squares slope of the back-calculated friction factor against bit depth, per 1,000 ft; undefined below 3 points or with no depth spread. */
export function trendPerThousandFt(points: readonly FrictionPoint[]): number | undefined {
  if (points.length < 3) return undefined;
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.bitDepthFt, 0) / n;
  const meanY = points.reduce((s, p) => s + p.frictionFactor, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.bitDepthFt - meanX) ** 2;
    sxy += (p.bitDepthFt - meanX) * (p.frictionFactor - meanY);
  }
  return sxx > 0 ? (sxy / sxx) * 1000 : undefined;
}
