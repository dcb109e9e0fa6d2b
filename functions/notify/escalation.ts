import type { Context } from '#runtime';
import type { Channels } from '../../config/channels.ts';
import { readActiveAlarms } from './active-alarms.ts';
import type { ChannelSender } from './channel-senders.ts';
import { escalationId } from './notification.ts';
import { type NotifySettings, notifyChannel } from './notify-channel.ts';
import { dueEscalations, escalatingTenants } from './routing.ts';

/**
 * Tells the escalation channels about alarms nobody acknowledged in time. Reads the
 * active alarms the alarm function keeps (seed 001); an alarm still UNACK_ACTIVE past a
 * level's minutes is escalated once per level and per raise: the ledger holds that
 * across ticks and replicas. Returns how many escalations were sent or held.
 */
export async function escalateUnacknowledged(
  ctx: Context,
  config: Channels,
  senders: ReadonlyMap<string, ChannelSender>,
  settings: NotifySettings,
): Promise<number> {
  const now = settings.now();
  let escalated = 0;
  for (const tenantId of escalatingTenants(config)) {
    const { alarms, unreadable } = await readActiveAlarms(ctx.redis, tenantId);
    for (const u of unreadable) ctx.log.warn(u, 'active alarm without a readable state hash; not escalated');
    for (const alarm of alarms) {
      if (alarm.state !== 'UNACK_ACTIVE' || alarm.tenantId !== tenantId) continue;
      const unacknowledgedMs = now - alarm.raisedAt;
      for (const due of dueEscalations(config, alarm, unacknowledgedMs)) {
        const sender = senders.get(due.channelId);
        if (!sender) continue;
        const n = {
          kind: 'escalation' as const,
          id: escalationId(alarm, due.afterMinutes),
          tenantId,
          alarm,
          afterMinutes: due.afterMinutes,
          unacknowledgedMs,
        };
        try {
          if ((await notifyChannel(ctx, settings, n, sender)) !== 'already-done') escalated += 1;
        } catch (error) {
          // Another replica holds this one's lease, or Redis hiccuped: the next tick tries again; the others go on.
          ctx.log.warn({ err: error, notificationId: n.id, channel: sender.id }, 'escalation deferred to the next tick');
        }
      }
    }
  }
  return escalated;
}
