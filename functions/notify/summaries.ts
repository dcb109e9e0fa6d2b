import type { Context } from '#runtime';
import type { ChannelSender } from './channel-senders.ts';
import { type Digest, pendingDigest, settleDigest } from './digest.ts';
import { recordFailure } from './failure-log.ts';
import { keys } from './keys.ts';
import type { Notification } from './notification.ts';
import type { NotifySettings } from './notify-channel.ts';
import { sendWithRetry } from './send-with-retry.ts';

/**
 * Sends each channel's summary of held-back alarms once its oldest has waited
 * `summaryEveryMs`. A summary is not rate limited (it is what the limit turns many
 * messages into). If it cannot be delivered, the failure is recorded and the alarms
 * stay held for the next attempt: counted until told, never dropped.
 */
export async function sendDueSummaries(
  ctx: Context,
  senders: ReadonlyMap<string, ChannelSender>,
  settings: NotifySettings & { summaryEveryMs: number },
): Promise<number> {
  // Channels side by side: one dead channel's retries do not delay the others' summaries.
  const results = await Promise.allSettled([...senders.values()].map((sender) => summariseChannel(ctx, sender, settings)));
  results.forEach((result, i) => {
    if (result.status === 'rejected')
      ctx.log.warn({ err: result.reason, channel: [...senders.keys()][i] }, 'summary deferred to the next tick');
  });
  return results.filter((r) => r.status === 'fulfilled' && r.value).length;
}

async function summariseChannel(
  ctx: Context,
  sender: ChannelSender,
  settings: NotifySettings & { summaryEveryMs: number },
): Promise<boolean> {
  const digest = await pendingDigest(ctx.redis, sender.id);
  ctx.metrics
    .gauge('held_for_summary', 'Alarms held back for the next summary (flood or rate limit), by channel.', ['channel'])
    .set({ channel: sender.id }, digest ? digest.counts.flood + digest.counts['rate-limit'] : 0);
  if (!digest) return false;
  const now = settings.now();
  const since = digest.alarms[0]?.heldAt ?? now - settings.summaryEveryMs;
  if (now - since < settings.summaryEveryMs) return false;
  // After a failure, one try per summary period: a dead channel is not hammered, nor the failure list flooded.
  const nextTry = Number((await ctx.redis.get(keys.digestNextTry(sender.id))) ?? 0);
  if (now < nextTry) return false;
  // One replica per channel at a time: ticks of different replicas may overlap when a channel is slow.
  const lock = keys.digestLock(sender.id);
  if ((await ctx.redis.set(lock, 'held', 'PX', sender.leaseMs, 'NX')) !== 'OK') return false;
  try {
    const fresh = (await pendingDigest(ctx.redis, sender.id)) ?? digest;
    const delivered = await deliverSummary(ctx, settings, sender, fresh, since, now);
    if (delivered) await ctx.redis.del(keys.digestNextTry(sender.id));
    else await ctx.redis.set(keys.digestNextTry(sender.id), String(now + settings.summaryEveryMs), 'PX', settings.summaryEveryMs * 2);
    return delivered;
  } finally {
    await ctx.redis.del(lock);
  }
}

async function deliverSummary(
  ctx: Context,
  settings: NotifySettings,
  sender: ChannelSender,
  digest: Digest,
  since: number,
  now: number,
): Promise<boolean> {
  const n: Notification = { kind: 'summary', id: `summary:${sender.id}:${since}`, tenantId: sender.tenant, digest, since, until: now };
  const result = sender.unusable
    ? { ok: false as const, attempts: 0, error: sender.unusable }
    : await sendWithRetry(() => sender.send(n, ctx.signal), sender.retry, ctx.signal);
  const total = digest.counts.flood + digest.counts['rate-limit'];
  ctx.metrics
    .counter('summaries_total', 'Summaries of held-back alarms, by channel and outcome.', ['channel', 'outcome'])
    .inc({ channel: sender.id, outcome: result.ok ? 'sent' : 'failed' });
  if (result.ok) {
    await settleDigest(ctx.redis, digest);
    return true;
  }
  await recordFailure(
    ctx,
    {
      time: new Date(now).toISOString(),
      tenantId: sender.tenant,
      channel: sender.id,
      kind: 'summary',
      notificationId: n.id,
      error: `summary of ${total} held alarm(s), kept for the next try: ${result.error}`,
      attempts: result.attempts,
    },
    settings.failuresKept,
  );
  return false;
}
