import { currentValuesResultHeader, type EspPerformance, type InputQuality } from '#contracts';
import type { WellModel } from '../../config/well-models.ts';
import { espEfficiency } from './formulas/esp-efficiency.ts';
import { totalDynamicHeadFt } from './formulas/esp-hydraulic-power.ts';
import { mixtureSpecificGravity, oilSpecificGravityFromApi } from './formulas/liquid-lift-curve.ts';
import { round } from './round.ts';

export type EspInputs = Record<'oilRate' | 'frequency' | 'motorCurrent' | 'intakePressure' | 'dischargePressure', number>;

/**
 * Current ESP values → hydraulic horsepower, TDH and efficiencies. Returns a reason
 * instead of a result when the pump is stopped (efficiency is undefined then).
 */
export function espCalculation(
  well: { wellId: string; tenantId: string; fieldId: string | undefined; model: WellModel },
  inputs: { values: EspInputs; newestTimestamp: number; quality: InputQuality; deviceId: string },
  calculatedAt: number,
): { result: EspPerformance } | { skipped: string } {
  const { esp, fluids } = well.model;
  if (!esp || !fluids) return { skipped: `well ${well.wellId} has no ESP model with fluids in well-models` };
  const v = inputs.values;
  if (!(v.frequency > 0 && v.motorCurrent > 0)) return { skipped: `ESP stopped (${v.frequency} Hz, ${v.motorCurrent} A)` };
  const liquidRateBbld = v.oilRate / (1 - fluids.waterCutFraction);
  const liquidGravity = mixtureSpecificGravity(
    oilSpecificGravityFromApi(fluids.oilApiGravity),
    fluids.waterSpecificGravity,
    fluids.waterCutFraction,
  );
  const efficiency = espEfficiency({
    liquidRateBbld,
    intakePressurePsi: v.intakePressure,
    dischargePressurePsi: v.dischargePressure,
    motorCurrentA: v.motorCurrent,
    frequencyHz: v.frequency,
    motor: esp.motor,
  });
  const differential = v.dischargePressure - v.intakePressure;
  return {
    result: {
      ...currentValuesResultHeader('esp', well, inputs, calculatedAt),
      oilRateStbd: v.oilRate,
      liquidRateBbld: round(liquidRateBbld, 2),
      intakePressurePsig: v.intakePressure,
      dischargePressurePsig: v.dischargePressure,
      pumpDifferentialPressurePsi: round(differential, 2),
      totalDynamicHeadFt: round(totalDynamicHeadFt(differential, liquidGravity), 1),
      frequencyHz: v.frequency,
      motorCurrentA: v.motorCurrent,
      hydraulicHorsepowerHp: round(efficiency.hydraulicHorsepowerHp, 3),
      motorInputHp: round(efficiency.motorInputHp, 3),
      pumpBrakeHorsepowerHp: round(efficiency.pumpBrakeHorsepowerHp, 3),
      pumpEfficiencyFraction: round(efficiency.pumpEfficiencyFraction, 4),
      systemEfficiencyFraction: round(efficiency.systemEfficiencyFraction, 4),
    },
  };
}
