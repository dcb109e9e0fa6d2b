import { z } from 'zod';
import { Identifier } from './telemetry.ts';

const EpochMillis = z.number().int().nonnegative().describe('epoch milliseconds (UTC)');
const finite = z.number().finite();
const nonNegative = finite.nonnegative();

/** Who a calculation belongs to and when it describes: the same on every calculation event. */
const CalculationBase = {
  calculationId: Identifier.describe('stable per input: a redelivered input gives the same id'),
  tenantId: Identifier,
  fieldId: Identifier.optional(),
  wellId: Identifier,
  timestamp: EpochMillis.describe('the instant the inputs describe (test end, newest telemetry sample)'),
  calculatedAt: EpochMillis,
};

/** good: every input good; suspect: at least one input suspect (never computed from bad inputs). */
export const InputQuality = z.enum(['good', 'suspect']);
export type InputQuality = z.infer<typeof InputQuality>;

/** What a calculation from a well's current values adds: the device whose values it read, and their quality. */
const FromCurrentValues = {
  deviceId: Identifier,
  inputQuality: InputQuality,
};

const IprPoint = z.object({ flowingBottomholePressurePsia: nonNegative, oilRateStbd: nonNegative }).strict();
const LiftPoint = z.object({ liquidRateBbld: nonNegative, flowingBottomholePressurePsia: finite }).strict();

/**
 * The inflow performance of a well from one stabilized test, on
 * `well-testing.ipr-calculated` (seed 000 `IPRCalculated`), keyed by well id.
 * `model` says which shape the pressures gave: linear (no bubble point), composite
 * Vogel (reservoir above the bubble point) or Vogel (saturated).
 */
export const IprCalculated = z
  .object({
    ...CalculationBase,
    testId: Identifier,
    model: z.enum(['linear', 'composite-vogel', 'vogel']),
    reservoirPressurePsia: finite.positive(),
    bubblePointPressurePsia: nonNegative,
    testOilRateStbd: nonNegative,
    testFlowingBottomholePressurePsia: nonNegative,
    productivityIndexStbdPerPsi: finite.positive(),
    bubblePointRateStbd: nonNegative,
    absoluteOpenFlowStbd: finite.positive(),
    curve: z.array(IprPoint).min(2).describe('from the reservoir pressure down to 0 psia'),
    /** The vertical lift curve the operating point used; absent when the well has no lift model. */
    liftCurve: z
      .object({
        model: z.literal('single-phase-liquid'),
        waterCutFraction: finite.min(0).lt(1),
        wellheadPressurePsig: finite,
        pumpDifferentialPressurePsi: nonNegative,
        points: z.array(LiftPoint),
      })
      .strict()
      .optional(),
    operatingPoint: z
      .union([
        z
          .object({
            flows: z.literal(true),
            oilRateStbd: nonNegative,
            liquidRateBbld: nonNegative,
            flowingBottomholePressurePsia: nonNegative,
            pumpedOff: z.boolean(),
          })
          .strict(),
        z.object({ flows: z.literal(false), reason: z.string().max(500) }).strict(),
      ])
      .optional(),
  })
  .strict();
export type IprCalculated = z.infer<typeof IprCalculated>;

/**
 * Mechanical specific energy while drilling (Teale 1965), on `drilling.calculations`,
 * keyed by well id. Computed from surface torque: it includes string friction.
 */
export const MseCalculated = z
  .object({
    ...CalculationBase,
    kind: z.literal('mse'),
    ...FromCurrentValues,
    mechanicalSpecificEnergyPsi: nonNegative,
    axialComponentPsi: nonNegative,
    rotaryComponentPsi: nonNegative,
    weightOnBitLbf: nonNegative,
    rotarySpeedRpm: nonNegative,
    surfaceTorqueFtLbf: nonNegative,
    rateOfPenetrationFtPerHour: finite.positive(),
    bitDiameterIn: finite.positive(),
  })
  .strict();
export type MseCalculated = z.infer<typeof MseCalculated>;

/**
 * What a rig is doing, judged from its measurements by the drilling function: pumps on (drilling
 * on bottom, rotating off bottom, circulating) or off (in slips, tripping in or out, pumps off).
 */
export const RigActivity = z.enum([
  'drilling',
  'rotating-off-bottom',
  'circulating',
  'in-slips',
  'tripping-in',
  'tripping-out',
  'pumps-off',
]);
export type RigActivity = z.infer<typeof RigActivity>;

/**
 * Kick and lost-circulation watch of a rig, on `drilling.calculations`, keyed by well id: the
 * active pit's change over the window against what the rig's activity explains (pipe run or
 * pulled, new hole, the flow-back or fill-up after the pumps stop or start), and flow out
 * against flow in. `kick` and `losses` are the detector's verdicts; the alarm function raises
 * and clears their alarms from the rig's `kick_detected` and `losses_detected` samples.
 */
export const WellControlCalculated = z
  .object({
    ...CalculationBase,
    kind: z.literal('well-control'),
    ...FromCurrentValues,
    activity: RigActivity,
    kick: z.boolean(),
    losses: z.boolean(),
    reasons: z.array(z.string().max(300)).max(6).describe('why each verdict holds, in words'),
    windowSeconds: finite.positive().describe('the span the pit change is measured over (shorter until the window fills)'),
    pitVolumeBbl: finite,
    pitChangeBbl: finite,
    expectedPitChangeBbl: finite.describe('pipe run (+) or pulled (−) and new hole (−) over the window'),
    unexplainedPitGainBbl: finite.describe('pit change minus the expected change: a gain is positive, a loss negative'),
    toleratedGainBbl: nonNegative.describe('threshold plus any flow-back allowance in force'),
    toleratedLossBbl: nonNegative.describe('threshold plus any fill-up allowance in force'),
    flowInGpm: nonNegative,
    flowOutGpm: nonNegative.optional(),
    expectedFlowOutGpm: nonNegative.optional().describe('absent while the flow settles after the pumps start or stop'),
    flowDeltaGpm: finite.optional().describe('flow out minus the expected flow out'),
  })
  .strict();
export type WellControlCalculated = z.infer<typeof WellControlCalculated>;

const FrictionPoint = z
  .object({
    timestamp: EpochMillis,
    bitDepthFt: nonNegative,
    mode: z.enum(['tripping-out', 'tripping-in', 'rotating']),
    frictionFactor: nonNegative,
  })
  .strict();

/**
 * Torque and drag of the string at the current bit depth, soft-string model (Johancsik,
 * Friesen & Dawson 1984, SPE 11380), on `drilling.calculations`, keyed by well id: hook loads
 * tripping out, in and rotating off bottom, and the off-bottom torque, at the configured
 * friction factor; when the rig is doing one of those, the measured load or torque and the
 * friction factor it implies, with the recent ones (a rising friction factor is a hole
 * cleaning or hole condition warning).
 */
export const TorqueDragCalculated = z
  .object({
    ...CalculationBase,
    kind: z.literal('torque-drag'),
    ...FromCurrentValues,
    activity: RigActivity,
    bitDepthFt: finite.positive(),
    mudWeightPpg: finite.positive(),
    buoyancyFactor: finite.positive().max(1),
    frictionFactor: nonNegative.describe('the configured one the loads below use'),
    hookLoadTrippingOutKlbf: finite,
    hookLoadTrippingInKlbf: finite,
    hookLoadRotatingKlbf: finite,
    torqueRotatingKftLbf: nonNegative,
    measured: z
      .object({
        mode: FrictionPoint.shape.mode,
        hookLoadKlbf: finite.optional(),
        torqueKftLbf: nonNegative.optional(),
        backCalculatedFrictionFactor: nonNegative.optional(),
        reason: z.string().max(300).optional().describe('why no friction factor fits the measurement'),
      })
      .strict()
      .optional(),
    frictionTrend: z.array(FrictionPoint).max(50).describe('back-calculated friction factors, oldest first'),
    frictionTrendPerThousandFt: finite.optional().describe('least-squares slope of the trend against bit depth'),
  })
  .strict();
export type TorqueDragCalculated = z.infer<typeof TorqueDragCalculated>;

export const DrillingCalculation = z.discriminatedUnion('kind', [MseCalculated, WellControlCalculated, TorqueDragCalculated]);
export type DrillingCalculation = z.infer<typeof DrillingCalculation>;

/**
 * ESP performance from a well's current values, on `production.calculations`, keyed
 * by well id. Liquid rate is oil rate over (1 − water cut) from the well's model.
 */
export const EspPerformance = z
  .object({
    ...CalculationBase,
    kind: z.literal('esp'),
    ...FromCurrentValues,
    oilRateStbd: nonNegative,
    liquidRateBbld: nonNegative,
    intakePressurePsig: finite,
    dischargePressurePsig: finite,
    pumpDifferentialPressurePsi: finite,
    totalDynamicHeadFt: finite,
    frequencyHz: finite.positive(),
    motorCurrentA: finite.positive(),
    hydraulicHorsepowerHp: finite,
    motorInputHp: finite.positive(),
    pumpBrakeHorsepowerHp: finite.positive(),
    pumpEfficiencyFraction: finite,
    systemEfficiencyFraction: finite,
  })
  .strict();
export type EspPerformance = z.infer<typeof EspPerformance>;

/**
 * Continuous gas lift from a well's current values, on `production.calculations`,
 * keyed by well id: where the injection gas can enter the tubing (the point of
 * balance from casing pressure, the downhole gauge and the liquid gradient below the
 * injection point), the gas–liquid ratios, and the injection rate the well's design
 * GLR asks for. Rates are standard conditions; the casing pressure at depth is absolute.
 */
export const GasLiftPerformance = z
  .object({
    ...CalculationBase,
    kind: z.literal('gas-lift'),
    ...FromCurrentValues,
    oilRateStbd: nonNegative,
    liquidRateBbld: nonNegative,
    surfaceInjectionPressurePsig: finite,
    flowingBottomholePressurePsig: finite,
    injectionRateMscfd: nonNegative,
    producedGasRateMscfd: nonNegative.describe('everything the separator measures: formation gas plus the injected gas'),
    formationGasLiquidRatioScfPerBbl: nonNegative,
    injectionGasLiquidRatioScfPerBbl: nonNegative,
    totalGasLiquidRatioScfPerBbl: nonNegative,
    targetGasLiquidRatioScfPerBbl: nonNegative,
    requiredInjectionRateMscfd: nonNegative.describe('injection that brings the total GLR to the target'),
    /** Present when gas can enter the tubing somewhere; absent (with `injectionReason`) when it cannot. */
    injectionDepthFtTvd: nonNegative.optional(),
    casingPressureAtInjectionPsia: nonNegative.optional(),
    injectionReason: z.string().max(500).optional(),
    operatingValveDepthFtTvd: finite.positive(),
    /**
     * True when the point of balance is at or below the operating valve: gas reaches it with
     * the valve differential to spare. False: the well lifts (if at all) from a shallower valve.
     */
    operatingValveCanInject: z.boolean(),
  })
  .strict();
export type GasLiftPerformance = z.infer<typeof GasLiftPerformance>;

export const ProductionCalculation = z.discriminatedUnion('kind', [EspPerformance, GasLiftPerformance]);
export type ProductionCalculation = z.infer<typeof ProductionCalculation>;

/**
 * The fields every result computed from current values starts with. Its id is the well
 * and the newest input's time: the same inputs, redelivered, give the same id.
 */
export function currentValuesResultHeader<TKind extends string>(
  kind: TKind,
  well: { wellId: string; tenantId: string; fieldId: string | undefined },
  inputs: { newestTimestamp: number; quality: InputQuality; deviceId: string },
  calculatedAt: number,
) {
  return {
    calculationId: `${kind}:${well.wellId}:${inputs.newestTimestamp}`,
    tenantId: well.tenantId,
    ...(well.fieldId ? { fieldId: well.fieldId } : {}),
    wellId: well.wellId,
    timestamp: inputs.newestTimestamp,
    calculatedAt,
    kind,
    deviceId: inputs.deviceId,
    inputQuality: inputs.quality,
  };
}
