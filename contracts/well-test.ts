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
