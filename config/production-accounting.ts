import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';
import { WellStatus } from '../contracts/well-status.ts';

/** A tag, on any device of the asset, or on the named one (two field devices may both report `oil_rate`). */
const MeterTag = { tagId: Identifier, deviceId: Identifier.optional() };

/** A totalizer: a register counting up the volume that passed (bbl, Mscf), in the phase's unit. */
const Totalizer = z
  .object({
    ...MeterTag,
    rolloverAt: z.number().finite().positive().optional().describe('the reading at which the register wraps to zero'),
    rolloverBand: z.number().finite().gt(0).max(0.5).default(0.1),
  })
  .strict();

/** A flow rate in the phase's unit per day (bbl/d, Mscf/d), integrated over time. */
const Rate = z
  .object({
    ...MeterTag,
    /** Two samples further apart than this are not bridged: the stretch between counts as uncovered. */
    maxGapMinutes: z.number().finite().positive().max(1440).default(15),
  })
  .strict();

/**
 * How one phase is measured: by a totalizer, by a rate, or both (the totalizer is used for
 * a day it has readings for, the rate otherwise: a totalizer counts what a rate may miss).
 */
const Meter = z
  .object({ totalizer: Totalizer.optional(), rate: Rate.optional() })
  .strict()
  .refine((m) => m.totalizer !== undefined || m.rate !== undefined, { message: 'give a totalizer, a rate, or both' });
export type Meter = z.infer<typeof Meter>;

/** Oil in stock-tank barrels, gas in Mscf, water in barrels: the units of a well test. */
const Phases = z.object({ oil: Meter.optional(), gas: Meter.optional(), water: Meter.optional() }).strict();
export type Phases = z.infer<typeof Phases>;
export const phases = ['oil', 'gas', 'water'] as const;
export type Phase = (typeof phases)[number];

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const FieldAccounting = z
  .object({
    fieldId: Identifier,
    timeZone: z.string().refine(isTimeZone, {
      message: 'not an IANA time zone Node knows: use a name such as America/Bogota or Europe/Madrid',
    }),
    /** The contract hour, local time: the production day runs from it to the same hour the next day. */
    contractHour: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM, 24-hour local time, such as 06:00')
      .default('06:00'),
    /** The meters of each well of the field (tags of the well's devices). */
    wells: Phases.default({}),
    /** A well metered otherwise than the field's usual: its phases replace the defaults one by one. */
    wellOverrides: z.record(Identifier, Phases).default({}),
    /** The field's fiscal (sales) meters, on its own devices: what is allocated back to the wells. */
    fiscal: Phases.default({}),
    /** The statuses that count as uptime (a well on test still produces, to the test separator). */
    uptimeStatuses: z.array(WellStatus).min(1).default(['producing', 'testing']),
  })
  .strict();
export type FieldAccounting = z.infer<typeof FieldAccounting>;

/**
 * The `production-accounting` configuration document, read by the daily-production function:
 * per field, its contract day and how its wells and its sales are metered.
 */
export const ProductionAccounting = z
  .object({
    fields: z.array(FieldAccounting).min(1),
    /**
     * How long after a production day ends its first report waits, for samples an edge still
     * holds (store and forward); what arrives later revises the report.
     */
    closeAfterMinutes: z.number().finite().min(0).max(1440).default(15),
    /**
     * How long meter readings are kept. A day older than this is no longer recomputed (its
     * readings are gone): a reading, status change or test that old is not accounted.
     */
    keepReadingsDays: z.number().int().min(7).max(3660).default(120),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.fields.forEach((f, i) => {
      if (seen.has(f.fieldId))
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'fieldId'], message: `field "${f.fieldId}" is listed twice` });
      seen.add(f.fieldId);
    });
  });
export type ProductionAccounting = z.infer<typeof ProductionAccounting>;

/** Minutes after local midnight of a field's contract hour (06:00 → 360). */
export const contractMinute = (field: FieldAccounting): number => {
  const [hours = 0, minutes = 0] = field.contractHour.split(':').map(Number);
  return hours * 60 + minutes;
};

/** A well's meters: the field's, with the well's own overrides phase by phase. */
export const metersOfWell = (field: FieldAccounting, wellId: string): Phases => ({ ...field.wells, ...field.wellOverrides[wellId] });
