import type { Redis } from 'ioredis';
import { execOrThrow } from '#runtime';
import { keys } from './keys.ts';

export interface RateLimit {
  max: number;
  perSeconds: number;
}

/**
 * Takes one slot of a channel's fixed-window rate limit: true while the window has
 * room. The window comes from `now` (not Redis time), so tests drive it with a clock;
 * the key outlives its window only long enough to be read.
 */
export async function takeRateSlot(redis: Redis, channelId: string, limit: RateLimit, now: number): Promise<boolean> {
  const windowMs = limit.perSeconds * 1000;
  const key = keys.rate(channelId, Math.floor(now / windowMs));
  const [count] = await execOrThrow(
    redis
      .multi()
      .incr(key)
      .pexpire(key, windowMs * 2),
    `rate limit of channel "${channelId}"`,
  );
  return Number(count) <= limit.max;
}
