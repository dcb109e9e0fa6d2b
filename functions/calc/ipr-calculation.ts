import type { IprCalculated, WellTestCompleted } from '#contracts';
import type { WellModel } from '../../config/well-models.ts';
import { type CompositeIpr, iprFromTest } from './formulas/composite-ipr.ts';
import {
  type LiquidLiftCurve,
  mixtureSpecificGravity,
  oilSpecificGravityFromApi,
  requiredBottomholePressurePsia,
} from './formulas/liquid-lift-curve.ts';
import { nodalOperatingPoint } from './formulas/nodal-operating-point.ts';
import { round } from './round.ts';

const CURVE_STEPS = 20;
/**
 * A completed well test → its IPR (model chosen by the pressures), productivity index,
 * absolute open flow, the curve from reservoir pressure to 0 psia, and, when the
 * well has a single-phase lift model (flowing or ESP, not gas lift), the lift curve and
 * the nodal operating point. Pure: the same
 * test and model give the same result, which is what makes redelivery harmless.
 */
export function iprCalculation(test: WellTestCompleted, model: WellModel | undefined, calculatedAt: number): IprCalculated {
  const ipr = iprFromTest(test);
  const result: IprCalculated = {
    calculationId: `ipr:${test.wellId}:${test.testId}`,
    tenantId: test.tenantId,
    ...(test.fieldId ? { fieldId: test.fieldId } : {}),
    wellId: test.wellId,
    timestamp: test.timestamp,
    calculatedAt,
    testId: test.testId,
    model: ipr.kind,
    reservoirPressurePsia: test.reservoirPressurePsia,
    bubblePointPressurePsia: test.bubblePointPressurePsia,
    testOilRateStbd: test.oilRateStbd,
    testFlowingBottomholePressurePsia: test.flowingBottomholePressurePsia,
    productivityIndexStbdPerPsi: round(ipr.productivityIndexStbdPerPsi, 6),
    bubblePointRateStbd: round(ipr.bubblePointRateStbd, 2),
    absoluteOpenFlowStbd: round(ipr.absoluteOpenFlowStbd, 2),
    curve: iprCurve(ipr),
  };
  const lift = liftCurveOf(test, model);
  if (!lift) return result;
  const point = nodalOperatingPoint(ipr, lift.curve, lift.waterCutFraction);
  const maxLiquid = ipr.absoluteOpenFlowStbd / (1 - lift.waterCutFraction);
  return {
    ...result,
    liftCurve: {
      model: 'single-phase-liquid',
      waterCutFraction: lift.waterCutFraction,
      wellheadPressurePsig: lift.curve.wellheadPressurePsig,
      pumpDifferentialPressurePsi: lift.curve.pumpDifferentialPressurePsi,
      points: Array.from({ length: 11 }, (_, i) => {
        const liquidRateBbld = (maxLiquid * i) / 10;
        return {
          liquidRateBbld: round(liquidRateBbld, 2),
          flowingBottomholePressurePsia: round(requiredBottomholePressurePsia(lift.curve, liquidRateBbld), 2),
        };
      }),
    },
    operatingPoint: point.flows
      ? {
          flows: true,
          oilRateStbd: round(point.oilRateStbd, 2),
          liquidRateBbld: round(point.liquidRateBbld, 2),
          flowingBottomholePressurePsia: round(point.flowingBottomholePressurePsia, 2),
          pumpedOff: point.pumpedOff,
        }
      : point,
  };
}

/** Evenly spaced in pressure from p̄ to 0, with the bubble point itself where the curve bends. */
function iprCurve(ipr: CompositeIpr): IprCalculated['curve'] {
  const pressures = Array.from({ length: CURVE_STEPS + 1 }, (_, i) => (ipr.reservoirPressurePsia * (CURVE_STEPS - i)) / CURVE_STEPS);
  if (ipr.kind === 'composite-vogel' && !pressures.includes(ipr.bubblePointPressurePsia)) pressures.push(ipr.bubblePointPressurePsia);
  return pressures.sort((a, b) => b - a).map((p) => ({ flowingBottomholePressurePsia: round(p, 2), oilRateStbd: round(ipr.rateAt(p), 2) }));
}

/** The well's lift curve, with what the test itself measured taking precedence over the model. */
function liftCurveOf(
  test: WellTestCompleted,
  model: WellModel | undefined,
): { curve: LiquidLiftCurve; waterCutFraction: number } | undefined {
  // Above a gas-lift valve the column is gas and liquid: a single-phase curve would be wrong there.
  if (!model?.fluids || !model.completion || model.gasLift) return undefined;
  const { fluids, completion } = model;
  const water = test.waterRateBbld;
  const waterCutFraction = water !== undefined ? water / (water + test.oilRateStbd) : fluids.waterCutFraction;
  const oilGravity = oilSpecificGravityFromApi(test.oilApiGravity ?? fluids.oilApiGravity);
  return {
    waterCutFraction: round(Math.min(waterCutFraction, 0.99), 4),
    curve: {
      liquidSpecificGravity: mixtureSpecificGravity(oilGravity, fluids.waterSpecificGravity, waterCutFraction),
      liquidViscosityCp: fluids.liquidViscosityCp,
      tubingInnerDiameterIn: completion.tubingInnerDiameterIn,
      relativeRoughness: completion.tubingRelativeRoughness,
      trueVerticalDepthFt: completion.perforationDepthFtTvd,
      measuredDepthFt: completion.measuredDepthFt,
      wellheadPressurePsig: test.wellheadPressurePsig ?? completion.wellheadPressurePsig,
      pumpDifferentialPressurePsi: model.esp?.designDifferentialPressurePsi ?? 0,
    },
  };
}
