import { z } from 'zod';
import { Severity } from '../contracts/alarm.ts';
import { Identifier } from '../contracts/telemetry.ts';
import { mostSpecific } from './device-match.ts';

const limits = z
  .object({ HH: z.number().optional(), H: z.number().optional(), L: z.number().optional(), LL: z.number().optional() })
  .strict()
  .superRefine((l, ctx) => {
    const order: [keyof typeof l, keyof typeof l][] = [
      ['HH', 'H'],
      ['H', 'L'],
      ['L', 'LL'],
      ['HH', 'L'],
      ['H', 'LL'],
      ['HH', 'LL'],
    ];
    for (const [upper, lower] of order) {
      const u = l[upper];
      const w = l[lower];
      if (u !== undefined && w !== undefined && u <= w)
        ctx.addIssue({ code: 'custom', path: [upper], message: `${upper} (${u}) must be above ${lower} (${w})` });
    }
  });

/**
 * Alarm rules per tag (ISA-18.2): absolute limits with a deadband, on- and off-delays,
 * a rate-of-change limit and a stale-value limit. Read by the alarm function.
 */
export const AlarmRule = z
  .object({
    tagId: Identifier,
    devices: z.array(z.string().min(1)).min(1).default(['*']),
    limits: limits.default({}),
    severities: z
      .object({
        HH: Severity.default('CRITICAL'),
        H: Severity.default('HIGH'),
        L: Severity.default('HIGH'),
        LL: Severity.default('CRITICAL'),
      })
      .strict()
      .default({ HH: 'CRITICAL', H: 'HIGH', L: 'HIGH', LL: 'CRITICAL' }),
    /** A limit alarm clears only once the value is back inside the limit by this much (hysteresis). */
    deadband: z.number().min(0).default(0),
    /** The condition must hold this long (sample time) before the alarm is raised. */
    onDelaySeconds: z.number().min(0).default(0),
    /** The condition must be gone this long before the alarm returns to normal. */
    offDelaySeconds: z.number().min(0).default(0),
    rateOfChange: z
      .object({ maxPerMinute: z.number().positive(), severity: Severity.default('MEDIUM') })
      .strict()
      .optional(),
    stale: z
      .object({ afterSeconds: z.number().positive(), severity: Severity.default('MEDIUM') })
      .strict()
      .optional(),
    unit: z.string().max(32).optional(),
  })
  .strict();
export type AlarmRule = z.infer<typeof AlarmRule>;

export const AlarmRules = z
  .object({
    /** Above this many raised alarms per minute a tenant is in an alarm flood: alarms are kept, notifications summarised. */
    flood: z
      .object({ maxRaisedPerMinute: z.number().int().min(1).default(30) })
      .strict()
      .default({ maxRaisedPerMinute: 30 }),
    rules: z.array(AlarmRule),
  })
  .strict();
export type AlarmRules = z.infer<typeof AlarmRules>;

export function alarmRuleFor(rules: AlarmRules, deviceId: string, tagId: string): AlarmRule | undefined {
  return mostSpecific(rules.rules, deviceId, tagId);
}
