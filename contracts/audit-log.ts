import { z } from 'zod';
import { Identifier } from './telemetry.ts';

export const AuditOutcome = z.enum(['success', 'refused', 'failure']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

/**
 * One fact for the audit trail, on `system.audit-log` (seed 000, 180 days retention):
 * who did what to which resource, and how it ended. Any Flowline component may write
 * one; `source` says which (a CloudEvents-style source such as `flowline/edge/pad-7`).
 */
export const AuditLog = z
  .object({
    auditId: Identifier,
    timestamp: z.number().int().nonnegative().describe('epoch milliseconds (UTC)'),
    source: z.string().min(1).max(256),
    actor: z
      .object({
        userId: z.string().min(1).max(128),
        role: z.string().min(1).max(64),
      })
      .strict(),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'use dotted lower-case words, e.g. scada.command.write')
      .max(128),
    resource: z.string().min(1).max(512).describe('what was acted on, e.g. pad-7/esp-vfd/frequency-setpoint'),
    outcome: AuditOutcome,
    reason: z.string().max(1000).optional(),
    correlationId: z.string().max(128).optional().describe('e.g. the command id'),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  })
  .strict();
export type AuditLog = z.infer<typeof AuditLog>;
