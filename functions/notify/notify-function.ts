import type { z } from 'zod';
import { Alarm } from '#contracts';
import { type Context, defineFunction } from '#runtime';
import { Channels } from '../../config/channels.ts';
import { loadConfig } from '../../config/load.ts';
import { acknowledgementOfRaise } from './acknowledged-raise.ts';
import { buildSenders, type ChannelSender } from './channel-senders.ts';
import { finishDelivery } from './delivery-ledger.ts';
import { escalateUnacknowledged } from './escalation.ts';
import { keys } from './keys.ts';
import { publishLive } from './live-fanout.ts';
import { type NotifySettings, notifyChannel } from './notify-channel.ts';
import { channelsForAlarm } from './routing.ts';
import { sendDueSummaries } from './summaries.ts';

export interface NotifyOptions {
  /** The channels document; by default `channels` from config/ (files or PostgreSQL). */
  channels?: z.input<typeof Channels>;
  /** Where the secrets named in the document are read; by default the process environment. */
  env?: Record<string, string | undefined>;
  /** The clock of rate windows, de-duplication and escalation: tests drive it. */
  now?: () => number;
  /** How often escalations and summaries are checked. */
  tickEveryMs?: number;
}

export interface NotifyDeps {
  config: Channels;
  senders: ReadonlyMap<string, ChannelSender>;
  settings: NotifySettings & { summaryEveryMs: number };
}

/** The notify function; `handler.ts` exports it with the defaults, tests build it with their own clock and channels. */
export function notifyFunction(options: NotifyOptions = {}) {
  const now = options.now ?? Date.now;
  return defineFunction(
    { 'scada.alarms': Alarm },
    {
      async setup(ctx): Promise<NotifyDeps> {
        const db = databaseOf(ctx);
        const config = options.channels ? Channels.parse(options.channels) : await loadConfig('channels', Channels, db ? { db } : {});
        const senders = buildSenders(config, options.env ?? process.env, now);
        for (const sender of senders.values()) if (sender.unusable) ctx.log.warn(sender.unusable);
        ctx.log.info({ channels: [...senders.keys()], routes: config.routes.length }, 'notify channels loaded');
        return {
          config,
          senders,
          settings: {
            now,
            dedupWindowMs: config.dedupWindowSeconds * 1000,
            failuresKept: config.failuresKept,
            summaryEveryMs: config.summaryEverySeconds * 1000,
          },
        };
      },
      async handler(event, ctx, deps) {
        const alarm = event.data;
        await goLive(ctx, event.id, alarm);
        // The console still gets the raise (above); channels are for alarms nobody has taken on yet.
        const acknowledged = await acknowledgementOfRaise(ctx.redis, alarm);
        if (acknowledged) {
          ctx.log.info(
            { alarmId: alarm.alarmId, raisedAt: alarm.timestamp, acknowledgedAt: acknowledged.at, acknowledgedBy: acknowledged.by },
            'raise not announced: it was acknowledged before notify came to it',
          );
          ctx.metrics
            .counter(
              'raises_not_announced_total',
              'Raises not sent to any channel because they were already acknowledged (a pad’s crew during a WAN cut).',
            )
            .inc();
          return;
        }
        const n = { kind: 'alarm' as const, id: event.id, tenantId: alarm.tenantId, alarm };
        const senders = channelsForAlarm(deps.config, alarm).flatMap((id) => deps.senders.get(id) ?? []);
        // allSettled, not all: a retry must never start while a sibling delivery of this event is still running.
        const results = await Promise.allSettled(senders.map((sender) => notifyChannel(ctx, deps.settings, n, sender)));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      },
      tick: {
        everyMs: options.tickEveryMs ?? 5_000,
        async run(ctx, deps) {
          await escalateUnacknowledged(ctx, deps.config, deps.senders, deps.settings);
          await sendDueSummaries(ctx, deps.senders, deps.settings);
          ctx.metrics.counter('ticks_total', 'Completed escalation and summary checks.').inc();
        },
      },
    },
  );
}

/** Every alarm event to the gateway's rooms, once per event id (a retried event does not repeat it on screens). */
async function goLive(ctx: Context, eventId: string, alarm: Alarm): Promise<void> {
  if ((await ctx.redis.exists(keys.delivery(eventId, 'live'))) === 1) return;
  const { type } = await publishLive(ctx.redis, alarm);
  // A day is plenty: a screen showing an old event twice is harmless, a week of keys per event is not.
  await finishDelivery(ctx.redis, eventId, 'live', 'sent', 86_400);
  ctx.metrics.counter('live_messages_total', 'Alarm events published to the live rooms, by event type.', ['type']).inc({ type });
}

/** The function's database when the process has one (configuration may live in PostgreSQL). */
function databaseOf(ctx: Pick<Context, 'db'>) {
  try {
    return ctx.db;
  } catch {
    return undefined;
  }
}
