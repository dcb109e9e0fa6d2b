import { redisKeys } from '#contracts';

/**
 * Every Redis key notify reads or writes, in one place. The alarm function owns the
 * alarm state (seed 001); notify only reads it. Everything notify writes starts with
 * `notify:`, and the live rooms with `live:` (the gateway subscribes to those).
 */
export const keys = {
  /** ZSET of a tenant's active alarm ids (written by the alarm function). */
  activeAlarms: redisKeys.activeAlarms,
  /** HASH of one alarm's state (written by the alarm function). */
  alarmState: redisKeys.alarmState,

  /** What happened to one notification on one channel: a lease while sending, then its outcome. */
  delivery: (notificationId: string, channelId: string) => `notify:delivery:${notificationId}:${channelId}`,
  /** When a channel last heard of this alarm and transition: the de-duplication window. */
  recent: (channelId: string, alarmId: string, transition: string) => `notify:recent:${channelId}:${alarmId}:${transition}`,
  /** Notifications sent to a channel in one rate-limit window (a counter with a TTL). */
  rate: (channelId: string, window: number) => `notify:rate:${channelId}:${window}`,
  /** LIST of alarms held back for the channel's next summary (flood or rate limit). */
  digest: (channelId: string) => `notify:digest:${channelId}`,
  /** HASH of how many alarms the pending summary covers, by reason (the list is capped, the counts are not). */
  digestCounts: (channelId: string) => `notify:digest:${channelId}:counts`,
  /** Held while one replica sends a channel's summary. */
  digestLock: (channelId: string) => `notify:digest:${channelId}:lock`,
  /** After a failed summary: not before this time (epoch ms) again. */
  digestNextTry: (channelId: string) => `notify:digest:${channelId}:next-try`,
  /** LIST (newest first, capped) of failed deliveries: what an operator reads. */
  failures: redisKeys.notifyFailures,
};

/** The gateway's rooms (seed 001) an alarm event is published to. */
export function liveRooms(alarm: {
  tenantId: string;
  fieldId?: string | undefined;
  wellId?: string | undefined;
  severity: string;
}): string[] {
  return [
    ...(alarm.wellId ? [`live:well:${alarm.wellId}`] : []),
    ...(alarm.fieldId ? [`live:field:${alarm.fieldId}`] : []),
    `live:alarms:${alarm.tenantId}`,
    ...(alarm.severity === 'CRITICAL' ? [`live:alarms:${alarm.tenantId}:critical`] : []),
  ];
}
