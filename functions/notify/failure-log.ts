import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '#contracts';
import { type Context, execOrThrow } from '#runtime';
import { keys } from './keys.ts';

/** One entry of `notify:failures:<tenant>`: what the operator UI lists (newest first). */
export const DeliveryFailure = z
  .object({
    time: z.iso.datetime(),
    tenantId: z.string(),
    channel: z.string(),
    kind: z.enum(['alarm', 'escalation', 'summary']),
    /** Absent for summaries, which cover many alarms. */
    alarmId: z.string().optional(),
    notificationId: z.string(),
    error: z.string(),
    /** 0 when the channel could not even try (its secret is not set). */
    attempts: z.number().int().min(0),
  })
  .strict();
export type DeliveryFailure = z.infer<typeof DeliveryFailure>;

/**
 * A notification that could not be delivered, made visible: a capped Redis list per
 * tenant the operator UI shows, a metric to alert on, an error log line, and an audit
 * event on system.audit-log.
 */
export async function recordFailure(ctx: Context, failure: DeliveryFailure, kept: number): Promise<void> {
  const key = keys.failures(failure.tenantId);
  await execOrThrow(
    ctx.redis
      .multi()
      .lpush(key, JSON.stringify(DeliveryFailure.parse(failure)))
      .ltrim(key, 0, kept - 1),
    `listing the failed notification in ${key}`,
  );
  ctx.metrics
    .counter('delivery_failures_total', 'Notifications given up on after their retries, by channel and kind.', ['channel', 'kind'])
    .inc({ channel: failure.channel, kind: failure.kind });
  ctx.log.error({ failure }, `notification to channel "${failure.channel}" failed after ${failure.attempts} attempt(s); listed in ${key}`);
  publishFailureAudit(ctx, failure);
}

/**
 * The audit event of a failure. Its id is derived from the notification and channel,
 * so when a redelivered event publishes it again (the first publish was discarded with
 * a handler that threw later) consumers see the same fact, not a second one.
 */
export function publishFailureAudit(ctx: Context, failure: DeliveryFailure): void {
  const audit: AuditLog = {
    auditId: `notify-${createHash('sha256').update(`${failure.notificationId}\u0000${failure.channel}`).digest('hex').slice(0, 32)}`,
    timestamp: Date.parse(failure.time),
    source: `flowline/${ctx.functionName}`,
    actor: { userId: ctx.functionName, role: 'system' },
    action: 'notify.delivery.failed',
    resource: failure.alarmId ? `alarm/${failure.alarmId}` : `channel/${failure.channel}`,
    outcome: 'failure',
    reason: failure.error.slice(0, 1000),
    correlationId: failure.notificationId.slice(0, 128),
    details: {
      tenantId: failure.tenantId,
      channel: failure.channel,
      kind: failure.kind,
      attempts: failure.attempts,
      alarmId: failure.alarmId ?? null,
    },
  };
  ctx.publish('system.audit-log', audit, { key: failure.tenantId });
}
