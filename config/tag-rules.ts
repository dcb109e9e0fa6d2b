import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';
import { mostSpecific } from './device-match.ts';

const positive = z.number().positive();

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

export const TagRules = z.object({ tags: z.array(TagRule) }).strict();
export type TagRules = z.infer<typeof TagRules>;

export function tagRuleFor(rules: TagRules, deviceId: string, tagId: string): TagRule | undefined {
  return mostSpecific(rules.tags, deviceId, tagId);
}
