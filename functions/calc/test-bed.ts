import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { topics } from '#contracts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';

/**
 * The calc function on the memory host with an in-process Redis (the handler's Redis
 * logic runs as written; a real Redis would behave the same) and the published data
 * checked against contracts/topics.ts, as `npm start` does. Also collects what is
 * announced on live:well:* channels.
 */
export async function calcBed(): Promise<{
  bed: TestBed;
  redis: Redis;
  live: { channel: string; message: { type: string; data: unknown } }[];
  close(): Promise<void>;
}> {
  const redis = new RedisMock() as unknown as Redis;
  await redis.flushall();
  const subscriber = redis.duplicate();
  const live: { channel: string; message: { type: string; data: unknown } }[] = [];
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => live.push({ channel, message: JSON.parse(message) }));
  await subscriber.psubscribe('live:well:*');
  const bed = await createTestBed({ functions: [await loadFunction('functions/calc')], redis, partitions: 1, publishSchemas: topics });
  return {
    bed,
    redis,
    live,
    async close() {
      await bed.stop();
      subscriber.disconnect();
    },
  };
}

/** Pub/sub delivery is asynchronous even in process: let it land before asserting. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
