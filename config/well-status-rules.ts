import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';
import { DownReason, StatusWithReason, WellStatus } from '../contracts/well-status.ts';
import type { AssetRegistry } from './asset-registry.ts';
import { WellKind } from './asset-registry.ts';
import { deviceMatchScore } from './device-match.ts';

const finite = z.number().finite();

/**
 * One tag against one threshold. `above`: holds while the value is above it; `below`: while
 * under it. The deadband is the hysteresis on the value: once holding, the condition lets go
 * only when the value is back past the threshold by that much, so a value hovering at the
 * threshold does not toggle it.
 */
export const StatusCondition = z
  .object({
    tagId: Identifier,
    above: finite.optional(),
    below: finite.optional(),
    deadband: finite.min(0).default(0),
  })
  .strict()
  .refine((c) => (c.above === undefined) !== (c.below === undefined), {
    message: 'give exactly one of above or below',
    path: ['above'],
  });
export type StatusCondition = z.infer<typeof StatusCondition>;

/** A status the well is in while every condition of `when` holds. */
const StatusRule = z
  .object({
    status: WellStatus,
    reason: DownReason.optional(),
    when: z.union([StatusCondition, z.array(StatusCondition).min(1)]).transform((c) => (Array.isArray(c) ? c : [c])),
  })
  .strict()
  .refine((r) => (r.status === 'down') === (r.reason !== undefined), {
    message: 'a reason (esp-trip, ssv-closed, no-flow) is given exactly when the status is down',
    path: ['reason'],
  });
export type StatusRule = z.infer<typeof StatusRule>;

const seconds = finite.min(0).max(7 * 86_400);

/**
 * How long a new condition must hold (by sample time) before it becomes the well's status:
 * `default` for every status, or per status entered (a trip may be confirmed sooner than a
 * return to production).
 */
const HoldSeconds = z
  .object({
    default: seconds.default(120),
    producing: seconds.optional(),
    'shut-in': seconds.optional(),
    down: seconds.optional(),
    testing: seconds.optional(),
    drilling: seconds.optional(),
  })
  .strict();

export const StatusProfile = z
  .object({
    id: Identifier,
    /** Well ids or globs (`norte-*`); an exact id wins over a glob, a glob over a field, a field over a kind. */
    wells: z.array(z.string().min(1)).default([]),
    fields: z.array(Identifier).default([]),
    kinds: z.array(WellKind).default([]),
    /** In order: the first rule whose conditions all hold gives the status. */
    rules: z.array(StatusRule).default([]),
    /** The status when no rule holds. */
    otherwise: StatusWithReason,
    holdSeconds: HoldSeconds.default({ default: 120 }),
    /**
     * A deciding tag whose last value is older than this (behind the well's newest sample)
     * is not trusted: the well keeps its status until the tag reports again. Only for tags
     * that are polled: a tag reported by exception (an OPC UA deadband, MQTT on change) is
     * silent exactly while nothing changes. Absent: the last value stands.
     */
    staleAfterSeconds: finite.positive().optional(),
  })
  .strict()
  .refine((p) => p.wells.length + p.fields.length + p.kinds.length > 0, {
    message: 'say which wells the profile is for: wells, fields or kinds',
    path: ['wells'],
  });
export type StatusProfile = z.infer<typeof StatusProfile>;

/**
 * The `well-status-rules` configuration document: per kind of well (or field, or well), the
 * tags that decide its status, their thresholds and the hysteresis. Read by well-status.
 */
export const WellStatusRules = z
  .object({ profiles: z.array(StatusProfile).min(1) })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.profiles.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'id'], message: `duplicate profile id "${p.id}"` });
      seen.add(p.id);
    });
  });
export type WellStatusRules = z.infer<typeof WellStatusRules>;

/** The hold before entering `status`. */
export function holdMsOf(profile: StatusProfile, status: WellStatus): number {
  return (profile.holdSeconds[status] ?? profile.holdSeconds.default) * 1000;
}

/** Every tag a profile reads, once. */
export function decidingTags(profile: StatusProfile): string[] {
  return [...new Set(profile.rules.flatMap((r) => r.when.map((c) => c.tagId)))];
}

/**
 * The profile of a well: the most specific match (an exact well id, then the longest glob,
 * then its field, then its kind); between equals, the first in the document.
 */
export function profileFor(rules: WellStatusRules, well: AssetRegistry['wells'][number]): StatusProfile | undefined {
  let chosen: StatusProfile | undefined;
  let best = -1;
  for (const profile of rules.profiles) {
    const byWell = deviceMatchScore(profile.wells, well.id);
    const score =
      byWell === Number.MAX_SAFE_INTEGER
        ? 4e6
        : byWell >= 0
          ? 3e6 + byWell
          : profile.fields.includes(well.fieldId)
            ? 2e6
            : profile.kinds.includes(well.kind)
              ? 1e6
              : -1;
    if (score > best) {
      best = score;
      chosen = profile;
    }
  }
  return chosen;
}
