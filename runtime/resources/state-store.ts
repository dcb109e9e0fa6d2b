import type { Redis } from 'ioredis';

/** Portable key/value state: the subset both Redis and the Dapr state API offer. */
export interface StateStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keys are namespaced per function (`state:<function>:<key>`) so functions never collide. */
export function redisStateStore(redis: Redis, functionName: string): StateStore {
  const prefix = `state:${functionName}:`;
  return {
    async get<T>(key: string) {
      const raw = await redis.get(prefix + key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    async set(key, value, options) {
      const json = JSON.stringify(value);
      if (options?.ttlSeconds) await redis.set(prefix + key, json, 'EX', options.ttlSeconds);
      else await redis.set(prefix + key, json);
    },
    async delete(key) {
      await redis.del(prefix + key);
    },
  };
}
