import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';
import { Drilling } from './drilling-model.ts';

const positive = z.number().finite().positive();
const fraction = z.number().finite().min(0);

/** Fluids as the lift curve and the ESP need them: a no-slip oil–water liquid. */
const Fluids = z
  .object({
    oilApiGravity: positive.max(100),
    waterSpecificGravity: positive.default(1.05),
    /** Fraction of the liquid that is water; a test's own water rate takes precedence. */
    waterCutFraction: fraction.lt(1, 'a water cut of 1 leaves no oil to compute an IPR for'),
    liquidViscosityCp: positive,
  })
  .strict();

/** The flow path from mid-perforations to the wellhead, for the vertical lift curve. */
const Completion = z
  .object({
    perforationDepthFtTvd: positive,
    measuredDepthFt: positive,
    tubingInnerDiameterIn: positive.max(12),
    tubingRelativeRoughness: fraction.max(0.05).default(0.0006),
    /** Used when a well test does not report its wellhead pressure. */
    wellheadPressurePsig: z.number().finite().min(0),
  })
  .strict()
  .refine((c) => c.measuredDepthFt >= c.perforationDepthFtTvd, {
    message: 'measuredDepthFt is along the hole and cannot be shorter than perforationDepthFtTvd',
    path: ['measuredDepthFt'],
  });

/** Which current-value fields (tag ids) hold each ESP input. */
const EspTags = z
  .object({
    oilRate: Identifier.default('oil_rate'),
    frequency: Identifier.default('esp_frequency'),
    motorCurrent: Identifier.default('esp_motor_current'),
    intakePressure: Identifier.default('esp_intake_pressure'),
    dischargePressure: Identifier.default('esp_discharge_pressure'),
  })
  .strict();

const Esp = z
  .object({
    deviceId: Identifier,
    pumpDepthFtTvd: positive,
    /** Pressure the pump adds at its design point: the lift curve's pump term. */
    designDifferentialPressurePsi: z.number().finite().min(0),
    motor: z
      .object({
        ratedPowerHp: positive,
        ratedVoltageV: positive,
        ratedCurrentA: positive,
        ratedFrequencyHz: positive.default(60),
        powerFactor: positive.max(1),
        efficiencyFraction: positive.max(1),
      })
      .strict(),
    tags: EspTags.default(EspTags.parse({})),
  })
  .strict();

/** Which current-value fields (tag ids) hold each gas-lift input. */
const GasLiftTags = z
  .object({
    oilRate: Identifier.default('oil_rate'),
    /** Separator gas: formation gas plus the injected gas coming back. */
    producedGasRate: Identifier.default('gas_rate'),
    injectionRate: Identifier.default('gas_injection_rate'),
    /** Surface injection pressure: the casing (annulus) carries the injection gas. */
    casingPressure: Identifier.default('casing_pressure'),
    /** A permanent downhole gauge at the perforations. */
    bottomholePressure: Identifier.default('bottomhole_pressure'),
  })
  .strict();

const GasLift = z
  .object({
    deviceId: Identifier,
    /** The installed operating valve (the deepest mandrel meant to inject). */
    operatingValveDepthFtTvd: positive,
    /** Injection gas, relative to air. */
    injectionGasSpecificGravity: positive.max(2),
    /** Average z-factor and temperature of the annulus gas column. */
    averageZFactor: positive.max(2).default(0.9),
    averageAnnulusTemperatureDegF: z.number().finite().gt(-459.67),
    /** Casing-over-tubing differential the valve needs to stay open, typically 100 psi. */
    valveDifferentialPsi: z.number().finite().min(0).default(100),
    /** The design's total gas–liquid ratio at the operating valve. */
    targetGasLiquidRatioScfPerBbl: positive,
    tags: GasLiftTags.default(GasLiftTags.parse({})),
  })
  .strict();

export const WellModel = z
  .object({
    wellId: Identifier,
    fluids: Fluids.optional(),
    completion: Completion.optional(),
    esp: Esp.optional(),
    drilling: Drilling.optional(),
    gasLift: GasLift.optional(),
  })
  .strict()
  .refine((w) => (w.completion === undefined) === (w.fluids === undefined), {
    message: 'a lift curve needs both completion and fluids (or neither)',
    path: ['completion'],
  })
  .refine((w) => w.esp === undefined || w.fluids !== undefined, {
    message: 'an ESP model needs fluids: its liquid rate is oil rate over (1 − water cut)',
    path: ['esp'],
  })
  .refine((w) => w.gasLift === undefined || (w.fluids !== undefined && w.completion !== undefined), {
    message: 'a gas-lift model needs fluids and completion: the liquid gradient below the valve and the perforation depth',
    path: ['gasLift'],
  })
  .refine((w) => w.gasLift === undefined || w.esp === undefined, {
    message: 'a well is lifted by an ESP or by gas, not both',
    path: ['gasLift'],
  })
  .refine((w) => !w.gasLift || !w.completion || w.gasLift.operatingValveDepthFtTvd <= w.completion.perforationDepthFtTvd, {
    message: 'the operating valve cannot sit below the perforations (operatingValveDepthFtTvd > perforationDepthFtTvd)',
    path: ['gasLift', 'operatingValveDepthFtTvd'],
  });
export type WellModel = z.infer<typeof WellModel>;

/** How often telemetry-driven calculations run and how long results stay in Redis. */
const Calculation = z
  .object({
    /** At most one calculation per well and kind in this window, however often tags update. */
    throttleSeconds: z
      .object({ esp: positive.default(10), mse: positive.default(5), 'gas-lift': positive.default(10) })
      .strict()
      .default({ esp: 10, mse: 5, 'gas-lift': 10 }),
    /** Inputs older than the newest input by more than this are stale: not computed together. */
    inputMaxSpreadSeconds: positive.default(30),
    cacheTtlSeconds: z
      .object({
        ipr: positive.default(7 * 24 * 3600),
        esp: positive.default(300),
        mse: positive.default(300),
        'gas-lift': positive.default(300),
      })
      .strict()
      .default({ ipr: 7 * 24 * 3600, esp: 300, mse: 300, 'gas-lift': 300 }),
  })
  .strict();
export type CalculationSettings = z.infer<typeof Calculation>;

/**
 * The `well-models` configuration document: per well, the engineering data the calc
 * function's formulas need (fluids, completion, ESP nameplate, gas-lift design, rig bit), and the
 * calculation settings. Read by calc.
 */
export const WellModels = z
  .object({
    calculation: Calculation.default(Calculation.parse({})),
    wells: z.array(WellModel),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.wells.forEach((w, i) => {
      if (seen.has(w.wellId)) ctx.addIssue({ code: 'custom', path: ['wells', i, 'wellId'], message: `duplicate wellId "${w.wellId}"` });
      seen.add(w.wellId);
    });
  });
export type WellModels = z.infer<typeof WellModels>;

export interface WellModelIndex {
  readonly settings: CalculationSettings;
  model(wellId: string): WellModel | undefined;
}

export function indexWellModels(doc: WellModels): WellModelIndex {
  const byWell = new Map(doc.wells.map((w) => [w.wellId, w]));
  return { settings: doc.calculation, model: (wellId) => byWell.get(wellId) };
}
