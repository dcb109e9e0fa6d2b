import type { Redis } from 'ioredis';

export const throttleKey = (kind: string, wellId: string) => `calc:throttle:${kind}:${wellId}`;

/**
 * Seed 001's "throttling of costly calculations": at most one calculation of `kind`
 * per well in `windowSeconds`, however many tag updates arrive. The slot is a Redis
 * key with a TTL whose value is the event that claimed it, so when that event is
 * redelivered (its first attempt failed after claiming) it still passes, and its
 * result is not lost to its own claim.
 */
export async function claimCalculationSlot(
  redis: Redis,
  kind: string,
  wellId: string,
  eventId: string,
  windowSeconds: number,
): Promise<boolean> {
  const key = throttleKey(kind, wellId);
  const claimed = await redis.set(key, eventId, 'PX', Math.round(windowSeconds * 1000), 'NX');
  if (claimed === 'OK') return true;
  return (await redis.get(key)) === eventId;
}
