import type { Redis } from 'ioredis';
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
  const results = await redis
    .multi()
    .incr(key)
    .pexpire(key, windowMs * 2)
    .exec();
  const [error, count] = results?.[0] ?? [new Error('rate-limit counter: empty MULTI result')];
  if (error) throw error;
  return Number(count) <= limit.max;
}
