import type { Redis } from 'ioredis';
import { keys } from './keys.ts';

/**
 * True when the channel already heard of this alarm and transition within the window
 * (a chattering alarm raised again and again); otherwise marks it heard now. The mark
 * names the notification that set it, so a redelivery of that same notification is
 * never mistaken for a repeat of itself.
 */
export async function heardRecently(
  redis: Redis,
  target: { channelId: string; alarmId: string; transition: string; notificationId: string },
  windowMs: number,
  now: number,
): Promise<boolean> {
  if (windowMs <= 0) return false;
  const key = keys.recent(target.channelId, target.alarmId, target.transition);
  const mark = await redis.get(key);
  if (mark !== null) {
    const separator = mark.indexOf(' ');
    const at = Number(mark.slice(0, separator));
    const by = mark.slice(separator + 1);
    if (by !== target.notificationId && now - at < windowMs) return true;
    if (by === target.notificationId) return false;
  }
  await redis.set(key, `${now} ${target.notificationId}`, 'PX', windowMs);
  return false;
}
