import { type Context, RetryableError } from '#runtime';
import type { ChannelSender } from './channel-senders.ts';
import { heardRecently } from './dedup-window.ts';
import { claimDelivery, finishDelivery, releaseDelivery } from './delivery-ledger.ts';
import { type HeldAlarm, type HoldReason, holdForSummary } from './digest.ts';
import { DeliveryFailure, publishFailureAudit, recordFailure } from './failure-log.ts';
import { alarmIdOf, type Notification } from './notification.ts';
import { takeRateSlot } from './rate-limit.ts';
import { sendWithRetry } from './send-with-retry.ts';

export type ChannelOutcome = 'sent' | 'failed' | 'held-flood' | 'held-rate-limit' | 'duplicate' | 'already-done';

export interface NotifySettings {
  now: () => number;
  dedupWindowMs: number;
  failuresKept: number;
}

const failedPrefix = 'failed ';

/**
 * One alarm or escalation to one channel, exactly once across redeliveries and
 * replicas: claim it in the ledger, drop a repeat within the de-duplication window,
 * hold it for a summary during a flood or over the rate limit, otherwise send it
 * (bounded retries) and record how it ended.
 */
export async function notifyChannel(
  ctx: Context,
  settings: NotifySettings,
  n: Exclude<Notification, { kind: 'summary' }>,
  sender: ChannelSender,
): Promise<ChannelOutcome> {
  const { redis } = ctx;
  const claim = await claimDelivery(redis, n.id, sender.id, sender.leaseMs);
  if (claim.kind === 'busy')
    throw new RetryableError(`notification ${n.id} for channel "${sender.id}" is leased by another replica; retrying once the lease ends`, {
      retryAfterMs: claim.retryAfterMs,
    });
  if (claim.kind === 'done') {
    // The audit event of an earlier failure may have been discarded with a handler that threw afterwards.
    if (claim.outcome.startsWith(failedPrefix)) {
      const failure = DeliveryFailure.safeParse(safeJson(claim.outcome.slice(failedPrefix.length)));
      if (failure.success) publishFailureAudit(ctx, failure.data);
    }
    return count(ctx, sender, n, 'already-done');
  }
  try {
    const { outcome, record } = await decide(ctx, settings, n, sender);
    await finishDelivery(redis, n.id, sender.id, record ?? outcome);
    return count(ctx, sender, n, outcome);
  } catch (error) {
    await releaseDelivery(redis, n.id, sender.id).catch(() => {});
    throw error;
  }
}

async function decide(
  ctx: Context,
  settings: NotifySettings,
  n: Exclude<Notification, { kind: 'summary' }>,
  sender: ChannelSender,
): Promise<{ outcome: ChannelOutcome; record?: string }> {
  const now = settings.now();
  if (n.kind === 'alarm') {
    const target = { channelId: sender.id, alarmId: n.alarm.alarmId, transition: n.alarm.transition, notificationId: n.id };
    if (await heardRecently(ctx.redis, target, settings.dedupWindowMs, now)) return { outcome: 'duplicate' };
    if (n.alarm.flood) return hold(ctx, sender, n, 'flood', now);
  }
  if (!(await takeRateSlot(ctx.redis, sender.id, sender.rateLimit, now))) return hold(ctx, sender, n, 'rate-limit', now);

  const result = sender.unusable
    ? { ok: false as const, attempts: 0, error: sender.unusable }
    : await sendWithRetry(() => sender.send(n, ctx.signal), sender.retry, ctx.signal);
  if (result.ok) return { outcome: 'sent' };
  const failure: DeliveryFailure = {
    time: new Date(settings.now()).toISOString(),
    tenantId: n.tenantId,
    channel: sender.id,
    kind: n.kind,
    alarmId: alarmIdOf(n),
    notificationId: n.id,
    error: result.error,
    attempts: result.attempts,
  };
  await recordFailure(ctx, failure, settings.failuresKept);
  return { outcome: 'failed', record: failedPrefix + JSON.stringify(failure) };
}

async function hold(
  ctx: Context,
  sender: ChannelSender,
  n: Exclude<Notification, { kind: 'summary' }>,
  reason: HoldReason,
  now: number,
): Promise<{ outcome: ChannelOutcome }> {
  const a = n.alarm;
  const held: HeldAlarm = {
    alarmId: a.alarmId,
    severity: a.severity,
    what: n.kind === 'alarm' ? n.alarm.transition : `escalation after ${n.afterMinutes} min`,
    message: a.message,
    ...(a.wellId ? { wellId: a.wellId } : {}),
    timestamp: n.kind === 'alarm' ? n.alarm.timestamp : n.alarm.raisedAt,
    reason,
    heldAt: now,
  };
  await holdForSummary(ctx.redis, sender.id, held);
  return { outcome: reason === 'flood' ? 'held-flood' : 'held-rate-limit' };
}

function count(ctx: Context, sender: ChannelSender, n: Notification, outcome: ChannelOutcome): ChannelOutcome {
  ctx.metrics
    .counter('notifications_total', 'Notifications per channel, kind and outcome (sent, failed, held-*, duplicate, already-done).', [
      'channel',
      'kind',
      'outcome',
    ])
    .inc({ channel: sender.id, kind: n.kind, outcome });
  return outcome;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
