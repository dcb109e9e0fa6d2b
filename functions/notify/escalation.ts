import type { Context } from '#runtime';
import type { Channels } from '../../config/channels.ts';
import { readActiveAlarms } from './active-alarms.ts';
import type { ChannelSender } from './channel-senders.ts';
import { escalationId, type Notification } from './notification.ts';
import { type NotifySettings, notifyChannel } from './notify-channel.ts';
import { dueEscalations, escalatingTenants } from './routing.ts';

/** Escalations sent at once: a dead channel's retries must not hold up every other alarm's. */
const parallel = 8;

/**
 * Tells the escalation channels about alarms nobody acknowledged in time. Reads the
 * active alarms the alarm function keeps (seed 001); an alarm still UNACK_ACTIVE past a
 * level's minutes is escalated once per level and per raise: the ledger holds that
 * across ticks and replicas. Returns how many escalations were sent, held or failed.
 */
export async function escalateUnacknowledged(
  ctx: Context,
  config: Channels,
  senders: ReadonlyMap<string, ChannelSender>,
  settings: NotifySettings,
): Promise<number> {
  const now = settings.now();
  const due: { n: Extract<Notification, { kind: 'escalation' }>; sender: ChannelSender }[] = [];
  for (const tenantId of escalatingTenants(config)) {
    const { alarms, unreadable } = await readActiveAlarms(ctx.redis, tenantId);
    ctx.metrics
      .gauge('unreadable_active_alarms', 'Active alarms whose state hash is missing or malformed (never escalated), by tenant.', ['tenant'])
      .set({ tenant: tenantId }, unreadable.length);
    for (const u of unreadable) ctx.log.debug(u, 'active alarm without a readable state hash; not escalated');
    for (const alarm of alarms) {
      if (alarm.state !== 'UNACK_ACTIVE' || alarm.tenantId !== tenantId) continue;
      const unacknowledgedMs = now - alarm.raisedAt;
      for (const level of dueEscalations(config, alarm, unacknowledgedMs)) {
        const sender = senders.get(level.channelId);
        if (!sender) continue;
        const id = escalationId(alarm, level.afterMinutes);
        due.push({ n: { kind: 'escalation', id, tenantId, alarm, afterMinutes: level.afterMinutes, unacknowledgedMs }, sender });
      }
    }
  }
  let escalated = 0;
  for (let i = 0; i < due.length; i += parallel) {
    const results = await Promise.allSettled(due.slice(i, i + parallel).map(({ n, sender }) => notifyChannel(ctx, settings, n, sender)));
    results.forEach((result, j) => {
      if (result.status === 'fulfilled') {
        if (result.value !== 'already-done') escalated += 1;
        return;
      }
      // Another replica holds this one's lease, or Redis hiccuped: the next tick tries again; the others go on.
      const { n, sender } = due[i + j] as (typeof due)[number];
      ctx.log.warn({ err: result.reason, notificationId: n.id, channel: sender.id }, 'escalation deferred to the next tick');
    });
  }
  return escalated;
}
