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
    /** Raised while the tenant's alarm rate exceeds its flood limit: stored and shown, notified in summary. */
    flood: z.boolean().optional(),
  })
  .strict();
export type Alarm = z.infer<typeof Alarm>;

/** Numeric rank of a severity: higher is worse. Active alarms are ordered by it. */
export const severityRank: Record<Severity, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1 };

export const AlarmActionKind = z.enum(['acknowledge', 'shelve', 'unshelve', 'suppress', 'unsuppress']);
export type AlarmActionKind = z.infer<typeof AlarmActionKind>;

/**
 * An operator's action on an alarm (`scada.alarm-actions`), published by the gateway
 * after it checked the operator's role; the alarm function is the one writer of
 * alarm state and answers with the resulting transition on `scada.alarms`.
 */
export const AlarmAction = z
  .object({
    timestamp: z.number().int().nonnegative(),
    alarmId: Identifier,
    tenantId: Identifier,
    action: AlarmActionKind,
    actor: z.string().min(1).max(128),
    comment: z.string().max(1000).optional(),
    /**
     * The raise the operator saw (the alarm's `raisedAt`, a sample's own time): an action
     * taken at a site while its link was down reaches the central alarm function before
     * the samples that raise the alarm there, and waits for that raise instead of acting
     * on whatever the alarm was before it.
     */
    raisedAt: z.number().int().nonnegative().optional(),
    /** For shelve: how long the alarm stays shelved. */
    durationSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .optional(),
  })
  .strict()
  .refine((a) => a.action !== 'shelve' || a.durationSeconds !== undefined, {
    message: 'shelving needs durationSeconds (an alarm is never shelved forever)',
    path: ['durationSeconds'],
  });
export type AlarmAction = z.infer<typeof AlarmAction>;
