import { z } from 'zod';
import { Identifier } from './telemetry.ts';

export const Severity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
export type Severity = z.infer<typeof Severity>;

/** ISA-18.2 alarm states. */
export const AlarmState = z.enum(['NORMAL', 'UNACK_ACTIVE', 'ACK_ACTIVE', 'RTN_UNACK', 'SHELVED', 'SUPPRESSED']);
export type AlarmState = z.infer<typeof AlarmState>;

export const AlarmCondition = z.enum(['HH', 'H', 'L', 'LL', 'ROC', 'STALE', 'BAD_QUALITY']);
export type AlarmCondition = z.infer<typeof AlarmCondition>;

export const AlarmTransition = z.enum(['raised', 'cleared', 'acknowledged', 'shelved', 'unshelved', 'suppressed', 'unsuppressed']);
export type AlarmTransition = z.infer<typeof AlarmTransition>;

/**
 * An alarm event on `scada.alarms`: seed 000's `Alarm` (timestamp, alarmId, deviceId,
 * tagId, severity, message, value, threshold) plus its lifecycle facts.
 */
export const Alarm = z
  .object({
    timestamp: z.number().int().nonnegative(),
    alarmId: Identifier,
    deviceId: Identifier,
    tagId: Identifier,
    severity: Severity,
    message: z.string().max(500),
    value: z.number().finite(),
    threshold: z.number().finite(),
    condition: AlarmCondition,
    transition: AlarmTransition,
    state: AlarmState,
    tenantId: Identifier,
    fieldId: Identifier.optional(),
    wellId: Identifier.optional(),
    actor: z.string().max(128).optional().describe('who acknowledged or shelved'),
    comment: z.string().max(1000).optional(),
    shelvedUntil: z.number().int().optional(),
  })
  .strict();
export type Alarm = z.infer<typeof Alarm>;
