import { z } from 'zod';
import { EpochMillis, Identifier } from './telemetry.ts';
import { WellStatus } from './well-status.ts';

const volume = z.number().finite().nonnegative();
const hours = z.number().finite().nonnegative();
const offset = z.string().regex(/^[+-]\d{2}:\d{2}$/, 'a UTC offset such as -05:00');

/** How a phase's volume was measured on that day. */
export const MeteringMethod = z.enum(['totalizer', 'rate', 'none']);
export type MeteringMethod = z.infer<typeof MeteringMethod>;

/** One phase through one meter for one day: the volume, and what to trust it by. */
export const MeteredVolume = z
  .object({
    method: MeteringMethod,
    volume: volume.nullable().describe('null when the meter had nothing for the day (method none)'),
    samples: z.number().int().nonnegative().describe('readings inside the day'),
    uncoveredHours: hours.describe('hours of the day no pair of readings spans'),
    rollovers: z.number().int().nonnegative().optional().describe('times the totalizer register wrapped to zero'),
    resets: z.number().int().nonnegative().optional().describe('times the totalizer was reset (counted again from zero)'),
  })
  .strict();
export type MeteredVolume = z.infer<typeof MeteredVolume>;

const byPhase = <T extends z.ZodType>(schema: T) =>
  z.object({ oil: schema.optional(), gas: schema.optional(), water: schema.optional() }).strict();

/** A well's day: hours in each status, what its meters measured, its test-based theoretical volume and its allocated share. */
export const WellDay = z
  .object({
    wellId: Identifier,
    hoursInStatus: z
      .partialRecord(WellStatus, hours)
      .describe('hours of the day in each status; hours before the first known status are absent'),
    uptimeHours: hours.describe('hours in the uptime statuses (producing and testing by default)'),
    measured: byPhase(MeteredVolume).describe('oil stb, gas Mscf, water bbl'),
    testId: Identifier.optional().describe('the well test the theoretical volumes come from: the latest ended before the day ends'),
    theoretical: byPhase(volume).describe('test rate × uptime hours / 24'),
    allocated: byPhase(volume).describe('the field’s fiscal volume × theoretical / Σ theoretical'),
  })
  .strict();
export type WellDay = z.infer<typeof WellDay>;

/** A phase's allocation: made (the factor fiscal / Σ theoretical), or not, and why. */
export const PhaseAllocation = z.union([
  z
    .object({
      allocated: z.literal(true),
      fiscal: volume,
      theoreticalTotal: volume,
      factor: z.number().finite().nonnegative().describe('fiscal / Σ theoretical: far from 1, the tests or the meters are off'),
    })
    .strict(),
  z.object({ allocated: z.literal(false), reason: z.string().min(1).max(500) }).strict(),
]);
export type PhaseAllocation = z.infer<typeof PhaseAllocation>;

/**
 * A field's production for one production day, on `production.daily-production` (seed 000
 * `DailyProduction`), keyed by field id. The day runs from the contract hour (local time in
 * `timeZone`) to the same hour the next day, and is named by the local date it starts on; a
 * day that springs forward lasts 23 hours, one that falls back 25 (`hours`). A late or
 * corrected sample makes a new version of the same day: versions are numbered from 1 and
 * every one is kept; the highest is the report.
 */
export const DailyProduction = z
  .object({
    tenantId: Identifier,
    fieldId: Identifier,
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'),
    version: z.number().int().min(1),
    timeZone: z.string().min(1),
    contractHour: z.string().regex(/^\d{2}:\d{2}$/),
    start: EpochMillis.describe('the contract hour on `day`, local time'),
    end: EpochMillis.describe('the contract hour the next day'),
    hours: z.number().finite().positive().describe('end − start in hours: 24, or 23/25 on daylight-saving days'),
    utcOffsetAtStart: offset,
    utcOffsetAtEnd: offset,
    computedAt: EpochMillis,
    revises: z
      .object({ version: z.number().int().min(1), changed: z.array(z.string().max(200)).max(50) })
      .strict()
      .optional()
      .describe('the version this one replaces, and what changed between them'),
    wells: z.array(WellDay),
    fiscal: byPhase(MeteredVolume),
    allocation: byPhase(PhaseAllocation),
  })
  .strict()
  .refine((d) => d.end > d.start, { message: 'end must come after start', path: ['end'] })
  .refine((d) => (d.version === 1) === (d.revises === undefined), {
    message: 'version 1 revises nothing; every later version says which one it revises',
    path: ['revises'],
  });
export type DailyProduction = z.infer<typeof DailyProduction>;
