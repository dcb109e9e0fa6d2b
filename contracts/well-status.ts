import { z } from 'zod';
import { Identifier } from './telemetry.ts';

const EpochMillis = z.number().int().nonnegative().describe('epoch milliseconds (UTC)');

/**
 * What a well is doing, as its telemetry and the well-status rules judge it:
 *   producing  flowing to the station
 *   shut-in    closed on purpose (an operator stopped it)
 *   down       not producing when it should, for `reason`
 *   testing    routed to the test separator
 *   drilling   a rig is on it
 */
export const WellStatus = z.enum(['producing', 'shut-in', 'down', 'testing', 'drilling']);
export type WellStatus = z.infer<typeof WellStatus>;

/** Why a well is down: its ESP tripped, its subsurface safety valve closed, or it simply stopped flowing. */
export const DownReason = z.enum(['esp-trip', 'ssv-closed', 'no-flow']);
export type DownReason = z.infer<typeof DownReason>;

/** A status with its reason: a reason exactly when the status is `down`. */
export const StatusWithReason = z
  .object({ status: WellStatus, reason: DownReason.optional() })
  .strict()
  .refine((s) => (s.status === 'down') === (s.reason !== undefined), {
    message: 'a reason is given exactly when the status is down (esp-trip, ssv-closed or no-flow)',
    path: ['reason'],
  });
export type StatusWithReason = z.infer<typeof StatusWithReason>;

/**
 * A well's status changed (seed 000 `WellStatusChanged`, on `production.well-status-changed`,
 * keyed by well id). `since` is when the new condition began (sample time); the change is
 * announced only once the condition held for the rules' hold time, at `confirmedAt`, so the
 * hours in each status count from `since`. `values` are the deciding tags' values then.
 */
export const WellStatusChanged = z
  .object({
    wellId: Identifier,
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    status: WellStatus,
    reason: DownReason.optional(),
    previousStatus: WellStatus.optional().describe('absent for the first status ever judged for the well'),
    previousReason: DownReason.optional(),
    since: EpochMillis.describe('when the new condition began (sample time)'),
    confirmedAt: EpochMillis.describe('the sample time at which the condition had held for the hold time'),
    profile: Identifier.describe('the well-status-rules profile that judged it'),
    values: z.record(Identifier, z.number().finite()).describe('the deciding tags’ latest values at confirmedAt'),
  })
  .strict()
  .refine((e) => (e.status === 'down') === (e.reason !== undefined), {
    message: 'a reason is given exactly when the status is down',
    path: ['reason'],
  })
  .refine((e) => e.confirmedAt >= e.since, { message: 'confirmedAt cannot come before since', path: ['confirmedAt'] });
export type WellStatusChanged = z.infer<typeof WellStatusChanged>;
