import { currentValuesResultHeader, type GasLiftPerformance, type InputQuality } from '#contracts';
import type { WellModel } from '../../config/well-models.ts';
import { gasColumnPressurePsia } from './formulas/gas-column-pressure.ts';
import { gasLiftInjectionDepthFt, gasLiftInjectionRateMscfd } from './formulas/gas-lift-injection.ts';
import { ATMOSPHERE_PSI, liquidDensityLbmPerFt3, mixtureSpecificGravity, oilSpecificGravityFromApi } from './formulas/liquid-lift-curve.ts';
import { round } from './round.ts';

export type GasLiftInputs = Record<'oilRate' | 'producedGasRate' | 'injectionRate' | 'casingPressure' | 'bottomholePressure', number>;

/**
 * Current gas-lift values → point of balance, gas–liquid ratios and the injection the
 * design GLR asks for. The formation's gas is what the separator measures less what was
 * injected. Below the injection point the tubing carries the formation's liquid alone, so
 * its gradient is the liquid's (free formation gas would lighten it: the estimate errs
 * deep by that much). Returns a reason instead of a result when the well is not producing.
 */
export function gasLiftCalculation(
  well: { wellId: string; tenantId: string; fieldId: string | undefined; model: WellModel },
  inputs: { values: GasLiftInputs; newestTimestamp: number; quality: InputQuality; deviceId: string },
  calculatedAt: number,
): { result: GasLiftPerformance } | { skipped: string } {
  const { gasLift, fluids, completion } = well.model;
  if (!gasLift || !fluids || !completion) return { skipped: `well ${well.wellId} has no gas-lift model with fluids and completion` };
  const v = inputs.values;
  if (!(v.oilRate > 0)) return { skipped: `not producing (oil rate ${v.oilRate} bbl/d)` };
  const liquidRateBbld = v.oilRate / (1 - fluids.waterCutFraction);
  const formationGasMscfd = Math.max(0, v.producedGasRate - v.injectionRate);
  const perBbl = (mscfd: number) => (mscfd * 1000) / liquidRateBbld;
  const formationGlr = perBbl(formationGasMscfd);
  const liquidGravity = mixtureSpecificGravity(
    oilSpecificGravityFromApi(fluids.oilApiGravity),
    fluids.waterSpecificGravity,
    fluids.waterCutFraction,
  );
  const surfaceInjectionPressurePsia = v.casingPressure + ATMOSPHERE_PSI;
  const annulusGas = {
    gasSpecificGravity: gasLift.injectionGasSpecificGravity,
    averageZFactor: gasLift.averageZFactor,
    averageTemperatureDegF: gasLift.averageAnnulusTemperatureDegF,
  };
  let balance: Pick<GasLiftPerformance, 'injectionDepthFtTvd' | 'casingPressureAtInjectionPsia' | 'injectionReason'>;
  try {
    const { injectionDepthFt } = gasLiftInjectionDepthFt({
      ...annulusGas,
      surfaceInjectionPressurePsia,
      flowingBottomholePressurePsia: v.bottomholePressure + ATMOSPHERE_PSI,
      perforationDepthFt: completion.perforationDepthFtTvd,
      gradientBelowInjectionPsiPerFt: liquidDensityLbmPerFt3(liquidGravity) / 144,
      valveDifferentialPsi: gasLift.valveDifferentialPsi,
    });
    balance = {
      injectionDepthFtTvd: round(injectionDepthFt, 1),
      casingPressureAtInjectionPsia: round(
        gasColumnPressurePsia({ ...annulusGas, surfacePressurePsia: surfaceInjectionPressurePsia, depthFt: injectionDepthFt }),
        1,
      ),
    };
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    balance = { injectionReason: error.message };
  }
  return {
    result: {
      ...currentValuesResultHeader('gas-lift', well, inputs, calculatedAt),
      oilRateStbd: v.oilRate,
      liquidRateBbld: round(liquidRateBbld, 2),
      surfaceInjectionPressurePsig: v.casingPressure,
      flowingBottomholePressurePsig: v.bottomholePressure,
      injectionRateMscfd: v.injectionRate,
      producedGasRateMscfd: v.producedGasRate,
      formationGasLiquidRatioScfPerBbl: round(formationGlr, 1),
      injectionGasLiquidRatioScfPerBbl: round(perBbl(v.injectionRate), 1),
      totalGasLiquidRatioScfPerBbl: round(formationGlr + perBbl(v.injectionRate), 1),
      targetGasLiquidRatioScfPerBbl: gasLift.targetGasLiquidRatioScfPerBbl,
      requiredInjectionRateMscfd: round(
        gasLiftInjectionRateMscfd({
          liquidRateBbld,
          targetGasLiquidRatioScfPerBbl: gasLift.targetGasLiquidRatioScfPerBbl,
          formationGasLiquidRatioScfPerBbl: formationGlr,
        }),
        2,
      ),
      ...balance,
      operatingValveDepthFtTvd: gasLift.operatingValveDepthFtTvd,
      operatingValveCanInject: balance.injectionDepthFtTvd !== undefined && balance.injectionDepthFtTvd >= gasLift.operatingValveDepthFtTvd,
    },
  };
}
