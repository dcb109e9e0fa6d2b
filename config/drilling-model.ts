import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);

/** Which current-value fields (tag ids) hold the inputs of calc's MSE. */
export const DrillingTags = z
  .object({
    weightOnBitKlbf: Identifier.default('weight_on_bit'),
    rotarySpeedRpm: Identifier.default('rotary_speed'),
    surfaceTorqueKftLbf: Identifier.default('surface_torque'),
    rateOfPenetrationFtPerHour: Identifier.default('rate_of_penetration'),
  })
  .strict();

/** Which tags hold what the drilling function watches (kick, losses, torque and drag). */
export const RigTags = z
  .object({
    pitVolumeBbl: Identifier.default('mud_pit_volume'),
    flowInGpm: Identifier.default('mud_flow_in'),
    /** Optional at the rig: without it only the pit indicator works. */
    flowOutGpm: Identifier.default('mud_flow_out'),
    bitDepthFt: Identifier.default('bit_depth'),
    holeDepthFt: Identifier.default('hole_depth'),
    hookLoadKlbf: Identifier.default('hook_load'),
  })
  .strict();

/**
 * Kick and lost-circulation watch (functions/drilling/well-control.ts): thresholds and windows.
 * Defaults are a starting point for a land rig with ~500 bbl active; tune them per rig.
 */
export const WellControl = z
  .object({
    tags: RigTags.default(RigTags.parse({})),
    windowSeconds: positive.default(300),
    pitGainKickBbl: positive.default(10),
    pitLossBbl: positive.default(10),
    flowGainKickGpm: positive.default(50),
    flowLossGpm: positive.default(75),
    flowConfirmSeconds: nonNegative.default(30),
    pumpTransientSeconds: nonNegative.default(120),
    flowbackAllowanceBbl: nonNegative.default(8),
    fillUpAllowanceBbl: nonNegative.default(8),
    clearFraction: z.number().gt(0).max(1).default(0.5),
    pumpsOnMinGpm: positive.default(50),
    onBottomFt: nonNegative.default(1),
    trippingMinFtPerMin: positive.default(5),
    /** Travelling block and top drive plus a margin: a hook load below it carries no string (in slips). */
    inSlipsMaxHookLoadKlbf: nonNegative.default(90),
    rotatingMinRpm: positive.default(10),
    /** What a foot of pipe run in displaces; taken from torqueDrag's top section when absent. */
    tripDisplacementBblPerFt: positive.optional(),
    /** The well-control result goes out at least this often, and at once when a verdict changes. */
    publishEverySeconds: positive.default(10),
  })
  .strict();
export type WellControl = z.infer<typeof WellControl>;

const Section = z
  .object({
    name: z.string().min(1).max(100),
    /** Absent on the top section: it reaches the surface. */
    lengthFt: positive.optional(),
    /** Adjusted weight in air, tool joints included. */
    weightLbPerFt: positive,
    odIn: positive.max(36),
    idIn: nonNegative.max(36),
    toolJointOdIn: positive.max(36).optional(),
  })
  .strict()
  .refine((s) => s.idIn < s.odIn, { message: 'idIn must be smaller than odIn', path: ['idIn'] });

const Station = z.object({ mdFt: nonNegative, inclinationDeg: z.number().min(0).max(180), azimuthDeg: z.number().min(0).lt(360) }).strict();

/**
 * Torque and drag (functions/drilling/torque-drag.ts): the string from the bit up, the survey,
 * the mud, and the friction factor the predicted loads use.
 */
export const TorqueDragModel = z
  .object({
    mudWeightPpg: positive.max(25),
    frictionFactor: nonNegative.max(1).default(0.25),
    blockWeightKlbf: nonNegative.default(0),
    /** A float valve keeps the bore dry on a trip in: the pipe displaces its bore as well as its steel. */
    floatInString: z.boolean().default(true),
    sections: z.array(Section).min(1),
    survey: z.array(Station).min(2),
    /** At most one torque-and-drag result per rig this often. */
    everySeconds: positive.default(10),
  })
  .strict()
  .superRefine((m, ctx) => {
    m.survey.forEach((s, i) => {
      const before = m.survey[i - 1];
      if (before && s.mdFt <= before.mdFt)
        ctx.addIssue({
          code: 'custom',
          path: ['survey', i, 'mdFt'],
          message: `stations must go deeper: ${s.mdFt} ft after ${before.mdFt} ft`,
        });
    });
    m.sections.slice(0, -1).forEach((s, i) => {
      if (s.lengthFt === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['sections', i, 'lengthFt'],
          message: 'only the top (last) section may leave its length out',
        });
    });
  });
export type TorqueDragModel = z.infer<typeof TorqueDragModel>;

/** A rig on a well: the bit for calc's MSE, and what the drilling function watches and models. */
export const Drilling = z
  .object({
    deviceId: Identifier,
    bitDiameterIn: positive.max(36),
    tags: DrillingTags.default(DrillingTags.parse({})),
    wellControl: WellControl.optional(),
    torqueDrag: TorqueDragModel.optional(),
  })
  .strict()
  .refine((d) => !d.wellControl || d.wellControl.tripDisplacementBblPerFt !== undefined || d.torqueDrag !== undefined, {
    message: 'the kick watch needs the pipe displacement: give wellControl.tripDisplacementBblPerFt or a torqueDrag string',
    path: ['wellControl', 'tripDisplacementBblPerFt'],
  });
export type Drilling = z.infer<typeof Drilling>;
