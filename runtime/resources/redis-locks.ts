import type { Redis } from 'ioredis';
import { RetryableError } from '../errors/index.ts';
import { execOrThrow } from './redis-exec.ts';

/**
 * Runs `work` holding every key's lock: one SET NX each in one round trip, again for those
 * another writer holds (up to 5 s, then a RetryableError so the event is retried later),
 * one script to release them all. A lock expires by itself after 10 s, so a writer that
 * died holding it blocks the others for that long at most.
 *
 * `what` names the state guarded, for the error: "alarm state of a chunk's tags is locked by another writer (2 locks: lock:alarm:…, …)".
 */
export async function withRedisLocks<T>(redis: Redis, keys: readonly string[], what: string, work: () => Promise<T>): Promise<T> {
  const token = `${process.pid}-${Math.random()}`;
  const deadline = Date.now() + 5_000;
  const held: string[] = [];
  let waiting = [...new Set(keys)];
  try {
    for (;;) {
      const pipeline = redis.pipeline();
      for (const key of waiting) pipeline.set(key, token, 'PX', 10_000, 'NX');
      const replies = await execOrThrow(pipeline, `locking the ${what}`);
      held.push(...waiting.filter((_, i) => replies[i] === 'OK'));
      waiting = waiting.filter((_, i) => replies[i] !== 'OK');
      if (waiting.length === 0) break;
      if (Date.now() > deadline)
        throw new RetryableError(`${what} is locked by another writer (${waiting.length} locks: ${waiting[0]}, …); retrying later`, {
          retryAfterMs: 500,
        });
      await new Promise((r) => setTimeout(r, 20));
    }
    return await work();
  } finally {
    if (held.length > 0) await redis.eval(releaseAllIfOwner, held.length, ...held, token);
  }
}

const releaseAllIfOwner = `local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released`;
