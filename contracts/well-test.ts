import { z } from 'zod';
import { Identifier } from './telemetry.ts';

const EpochMillis = z.number().int().nonnegative().describe('epoch milliseconds (UTC)');
const pressurePsia = z.number().finite().nonnegative();
const rate = z.number().finite().nonnegative();

/**
 * A stabilized production test, on `well-testing.test-completed` (seed 000), keyed by
 * well id: what a test report carries. Bottom-hole pressures are absolute (psia), as
 * inflow relationships need; surface pressures are gauge (psig), as gauges read.
 * The calc function turns it into an IPR (well-testing.ipr-calculated).
 */
export const WellTestCompleted = z
  .object({
    testId: Identifier,
    wellId: Identifier,
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    timestamp: EpochMillis.describe('when the test ended: the instant its results describe'),
    startedAt: EpochMillis.optional(),
    /** How long the well flowed at the test rate before the values were taken. */
    stabilizationHours: z.number().finite().positive().optional(),
    method: z.enum(['test-separator', 'multiphase-meter', 'tank-gauge']).optional(),
    oilRateStbd: rate.describe('stabilized oil rate, stock-tank barrels per day'),
    waterRateBbld: rate.optional(),
    gasRateMscfd: rate.optional(),
    gasOilRatioScfPerStb: rate.optional(),
    flowingBottomholePressurePsia: pressurePsia.describe('at mid-perforations, while flowing at the test rate'),
    reservoirPressurePsia: z.number().finite().positive().describe('average reservoir pressure (static, from a build-up)'),
    bubblePointPressurePsia: pressurePsia.describe('from PVT; at or above the reservoir pressure the reservoir is saturated'),
    wellheadPressurePsig: z.number().finite().optional(),
    casingPressurePsig: z.number().finite().optional(),
    wellheadTemperatureDegF: z.number().finite().optional(),
    chokeSize64thsIn: z.number().finite().positive().optional(),
    oilApiGravity: z.number().finite().positive().max(100).optional(),
    testedBy: z.string().max(128).optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .refine((t) => t.flowingBottomholePressurePsia < t.reservoirPressurePsia, {
    message:
      'flowingBottomholePressurePsia must be below reservoirPressurePsia: a well flows toward lower pressure; check the gauge depth and units',
    path: ['flowingBottomholePressurePsia'],
  })
  .refine((t) => t.oilRateStbd > 0, {
    message: 'oilRateStbd must be above 0: a test without oil defines no inflow relationship',
    path: ['oilRateStbd'],
  });
export type WellTestCompleted = z.infer<typeof WellTestCompleted>;

/** How a test's volumes are measured: a test separator, a multiphase meter, or gauged tanks. */
export const WellTestMethod = z.enum(['test-separator', 'multiphase-meter', 'tank-gauge']);
export type WellTestMethod = z.infer<typeof WellTestMethod>;

/**
 * A well test was started (seed 000 `well-testing.test-created`), keyed by well id. The
 * well flows through `deviceId` (the separator or meter whose rates are the test's) while
 * the well-test function gathers readings and decides when they are steady. The reservoir
 * and bubble-point pressures are the engineer's (last build-up, PVT): the IPR needs them
 * and no sensor measures them while the well flows.
 */
export const WellTestCreated = z
  .object({
    testId: Identifier,
    wellId: Identifier,
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    deviceId: Identifier.describe('the separator or meter the well is routed through for the test'),
    method: WellTestMethod,
    createdAt: EpochMillis.describe('when the test started: readings before it are not the test’s'),
    plannedMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .describe('the shortest the test runs before it may be judged steady'),
    maxMinutes: z
      .number()
      .int()
      .min(1)
      .max(14 * 24 * 60)
      .describe('a test not steady by then ends inconclusive'),
    reservoirPressurePsia: z.number().finite().positive(),
    bubblePointPressurePsia: pressurePsia,
    createdBy: z.string().min(1).max(128),
    notes: z.string().max(2000).optional(),
  })
  .strict()
  .refine((t) => t.maxMinutes >= t.plannedMinutes, {
    message: 'maxMinutes must be at least plannedMinutes: the test could never be judged',
    path: ['maxMinutes'],
  });
export type WellTestCreated = z.infer<typeof WellTestCreated>;

/** Where a test is: gathering readings, completed (stabilised, published), or ended without stabilising. */
export const WellTestState = z.enum(['running', 'completed', 'inconclusive']);
export type WellTestState = z.infer<typeof WellTestState>;

/** What a test measures: three rates and two pressures. */
export const WellTestQuantity = z.enum(['oilRate', 'gasRate', 'waterRate', 'bottomholePressure', 'wellheadPressure']);
export type WellTestQuantity = z.infer<typeof WellTestQuantity>;

/**
 * A test as it stands: on the well's live channel as `well-test:update` each time it is
 * judged, and what GET /v1/wells/{wellId}/tests answers. `waitingFor` says, in sentences,
 * why a running test is not yet steady (or why an inconclusive one ended).
 */
export const WellTestStatus = z
  .object({
    testId: Identifier,
    wellId: Identifier,
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    deviceId: Identifier,
    method: WellTestMethod,
    state: WellTestState,
    createdAt: EpochMillis,
    createdBy: z.string(),
    plannedMinutes: z.number().int(),
    maxMinutes: z.number().int(),
    /** Minutes from the start to the newest reading. */
    elapsedMinutes: z.number().finite().nonnegative(),
    readings: z.number().int().nonnegative(),
    waitingFor: z.array(z.string()),
    /** The averages over the stabilisation window once steady, or the window so far. */
    averages: z.partialRecord(WellTestQuantity, z.number().finite()),
    judgedAt: EpochMillis.optional(),
    endedAt: EpochMillis.optional(),
  })
  .strict();
export type WellTestStatus = z.infer<typeof WellTestStatus>;
