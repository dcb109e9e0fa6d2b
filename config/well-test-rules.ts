import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';

const percent = z.number().finite().positive().max(100);
const minutes = z
  .number()
  .finite()
  .positive()
  .max(24 * 60);

/**
 * When a running test is steady: over the last `windowMinutes` of readings, each rate and the
 * pressure vary (max − min, against their mean) less than their percentage, their least-squares
 * trend is flatter than their percentage per hour, and no reading is missing for longer than
 * `maxGapMinutes`; and the test has run its planned minutes. Defaults are the usual practice
 * for a separator test: 30 min window, rates within 5 %, pressure within 2 %.
 */
export const Stabilisation = z
  .object({
    windowMinutes: minutes.default(30),
    rateVariationPercent: percent.default(5),
    pressureVariationPercent: percent.default(2),
    rateTrendPercentPerHour: percent.default(4),
    pressureTrendPercentPerHour: percent.default(2),
    maxGapMinutes: minutes.default(5),
  })
  .strict()
  .refine((s) => s.maxGapMinutes < s.windowMinutes, {
    message: 'maxGapMinutes must be shorter than windowMinutes: a window may not be all gap',
    path: ['maxGapMinutes'],
  });
export type Stabilisation = z.infer<typeof Stabilisation>;

/**
 * Which tags carry a test's measurements. Rates are read from the test's device (the
 * separator or meter the well is routed through); pressures from the well's own devices.
 */
const TestTags = z
  .object({
    oilRate: Identifier.default('oil_rate'),
    gasRate: Identifier.default('gas_rate'),
    waterRate: Identifier.default('water_rate'),
    bottomholePressure: Identifier.default('bottomhole_pressure'),
    wellheadPressure: Identifier.default('tubing_pressure'),
  })
  .strict();

/**
 * The `well-test-rules` configuration document, read by the well-test function: the tags a
 * test reads and the stabilisation rule that decides when it is steady.
 */
export const WellTestRules = z
  .object({
    tags: TestTags.default(TestTags.parse({})),
    stabilisation: Stabilisation.default(Stabilisation.parse({})),
  })
  .strict();
export type WellTestRules = z.infer<typeof WellTestRules>;
