import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { execOrThrow } from '../../runtime/resources/redis-exec.ts';

/** Request budgets per subject and minute-long window, by kind of request. */
export interface RateLimits {
  /** Queries (GET). */
  read: number;
  /** Changes: alarm actions, commands, publishes, invocations. */
  write: number;
  /** Telemetry ingestion: machines batching samples. */
  ingest: number;
  /** Password sign-in attempts, per client address and user name. */
  signIn: number;
  windowMs: number;
}

export type RateClass = Exclude<keyof RateLimits, 'windowMs'>;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface RateLimiter {
  take(subject: string, rateClass: RateClass): Promise<RateDecision>;
}

/**
 * Fixed windows counted in Redis (seed 001's `ratelimit:{userId}:{endpoint}`), shared
 * by every gateway replica. The window's start is in the key, so a key is never reused
 * and its expiry can be refreshed without a race. If Redis does not answer or a command
 * fails, requests pass (logged): a limiter must not lock operators out of their plant.
 */
export function redisRateLimiter(redis: Redis, limits: RateLimits, clock: () => number, log: Logger): RateLimiter {
  return {
    async take(subject, rateClass) {
      const limit = limits[rateClass];
      const now = clock();
      const window = Math.floor(now / limits.windowMs);
      const resetMs = (window + 1) * limits.windowMs - now;
      const key = `ratelimit:${subject}:${rateClass}:${window}`;
      try {
        // Checked per command: a failed INCR (WRONGTYPE) resolves exec all the same, and would read as a count of 0.
        const [count] = await execOrThrow(
          redis
            .multi()
            .incr(key)
            .pexpire(key, limits.windowMs * 2),
          `counting ${key}`,
        );
        if (typeof count !== 'number') throw new Error(`counting ${key}: INCR answered ${String(count)}, not a number`);
        return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetMs };
      } catch (error) {
        log.warn({ err: error, rateClass }, 'rate limiter could not count in Redis; letting the request through');
        return { allowed: true, limit, remaining: limit, resetMs };
      }
    },
  };
}
