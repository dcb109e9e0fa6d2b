import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';
import { mostSpecific } from './device-match.ts';

const positive = z.number().positive();

/**
 * How far a sample's timestamp may be from the moment validate receives it. Beyond
 * that the device's clock is wrong (or it stamps seconds, not milliseconds): the sample
 * is bad (`clock-skew`) and becomes no tag's current value. Behind allows for
 * store-and-forward: an edge buffer replaying after a long WAN cut.
 */
export const ClockBound = z
  .object({
    maxAheadSeconds: positive.default(300),
    maxBehindSeconds: positive.default(30 * 86_400),
  })
  .strict();
export type ClockBound = z.infer<typeof ClockBound>;

/**
 * What a valid sample of a tag looks like: its unit, its engineering range, how fast
 * it may change, how old it may be, and when a run of identical values (frozen) or a
 * lone jump (spike) makes it suspect. Read by validate.
 */
export const TagRule = z
  .object({
    tagId: Identifier,
    devices: z.array(z.string().min(1)).min(1).default(['*']),
    unit: z.string().max(32).optional(),
    description: z.string().max(200).optional(),
    range: z
      .object({ min: z.number(), max: z.number() })
      .strict()
      .refine((r) => r.max > r.min, 'range.max must be greater than range.min')
      .optional(),
    /** Largest credible change per second, in the tag's unit. */
    rateOfChange: z.object({ maxPerSecond: positive }).strict().optional(),
    /** This tag's own clock bound (e.g. a device known to buffer for weeks); the file's `clock` otherwise. */
    clock: ClockBound.partial().optional(),
    /** A sample older than this when it arrives is stale (late data: store-and-forward replay, a lagging link). */
    staleAfterSeconds: positive.optional(),
    /** `samples` values in a row within `tolerance` of each other: the sensor is frozen. */
    frozen: z
      .object({ samples: z.number().int().min(3).max(100), tolerance: z.number().min(0).default(0) })
      .strict()
      .optional(),
    /** A value further than `maxDeviation` from the median of the previous `window` values is a spike. */
    spike: z
      .object({ window: z.number().int().min(3).max(100).default(5), maxDeviation: positive })
      .strict()
      .optional(),
  })
  .strict();
export type TagRule = z.infer<typeof TagRule>;

export const TagRules = z
  .object({
    clock: ClockBound.default({ maxAheadSeconds: 300, maxBehindSeconds: 30 * 86_400 }),
    tags: z.array(TagRule),
  })
  .strict();
export type TagRules = z.infer<typeof TagRules>;

export function tagRuleFor(rules: TagRules, deviceId: string, tagId: string): TagRule | undefined {
  return mostSpecific(rules.tags, deviceId, tagId);
}

/** The clock bound for a sample: its tag rule's, over the file's. */
export function clockBoundFor(rules: TagRules, rule: TagRule | undefined): ClockBound {
  return { ...rules.clock, ...rule?.clock };
}
