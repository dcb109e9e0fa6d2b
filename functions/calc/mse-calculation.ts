import { currentValuesResultHeader, type InputQuality, type MseCalculated } from '#contracts';
import type { WellModel } from '../../config/well-models.ts';
import { mechanicalSpecificEnergy } from './formulas/mechanical-specific-energy.ts';
import { round } from './round.ts';

export type MseInputs = Record<'weightOnBitKlbf' | 'rotarySpeedRpm' | 'surfaceTorqueKftLbf' | 'rateOfPenetrationFtPerHour', number>;

/**
 * Current rig values → mechanical specific energy. The rig reports weight in klbf and
 * torque in kft·lbf; Teale's field-unit form wants lbf and ft·lbf. Off bottom (no
 * penetration) MSE is undefined: a reason, not an error.
 */
export function mseCalculation(
  well: { wellId: string; tenantId: string; fieldId: string | undefined; model: WellModel },
  inputs: { values: MseInputs; newestTimestamp: number; quality: InputQuality; deviceId: string },
  calculatedAt: number,
): { result: MseCalculated } | { skipped: string } {
  const drilling = well.model.drilling;
  if (!drilling) return { skipped: `well ${well.wellId} has no drilling model in well-models` };
  const v = inputs.values;
  if (!(v.rateOfPenetrationFtPerHour > 0)) return { skipped: `not drilling (rate of penetration ${v.rateOfPenetrationFtPerHour} ft/h)` };
  const mse = mechanicalSpecificEnergy({
    weightOnBitLbf: v.weightOnBitKlbf * 1000,
    rotarySpeedRpm: v.rotarySpeedRpm,
    torqueFtLbf: v.surfaceTorqueKftLbf * 1000,
    rateOfPenetrationFtPerHour: v.rateOfPenetrationFtPerHour,
    bitDiameterIn: drilling.bitDiameterIn,
  });
  return {
    result: {
      ...currentValuesResultHeader('mse', well, inputs, calculatedAt),
      mechanicalSpecificEnergyPsi: round(mse.mechanicalSpecificEnergyPsi, 1),
      axialComponentPsi: round(mse.axialPsi, 1),
      rotaryComponentPsi: round(mse.rotaryPsi, 1),
      weightOnBitLbf: v.weightOnBitKlbf * 1000,
      rotarySpeedRpm: v.rotarySpeedRpm,
      surfaceTorqueFtLbf: v.surfaceTorqueKftLbf * 1000,
      rateOfPenetrationFtPerHour: v.rateOfPenetrationFtPerHour,
      bitDiameterIn: drilling.bitDiameterIn,
    },
  };
}
