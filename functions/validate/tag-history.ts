import type { Redis } from 'ioredis';
import { redisKeys } from '#contracts';
import type { PastSample } from './assess.ts';

/** How many samples per tag are shown as its history (seed 001: the last 100; the gateway reads these). */
export const historyLength = 100;
/**
 * How many are kept in `telemetry:{asset}:history:{tag}`: a whole chunk more (validate's
 * batch.maxSize, checked by a test). A chunk whose publishes were lost is redelivered; each
 * of its samples must still find its own first verdict there, or it is re-assessed against
 * its own chunk's later samples and flagged out-of-order.
 */
export const historyKept = historyLength + 200;

export const currentKey = redisKeys.currentValues;
export const historyKey = redisKeys.tagHistory;

export interface Neighbourhood {
  /** Samples strictly older than the one at hand, newest first. */
  before: PastSample[];
  /** Samples with the same timestamp (a duplicate, or this very event redelivered). */
  same: PastSample[];
  /** Whether anything newer is already known: the sample arrived out of order. */
  newerExists: boolean;
}

/** One round trip: the samples around `timestamp` in a tag's history. */
export async function readNeighbourhood(redis: Redis, key: string, timestamp: number, count: number): Promise<Neighbourhood> {
  const [older, newer] = await Promise.all([
    redis.zrevrangebyscore(key, timestamp, '-inf', 'LIMIT', 0, count + 8),
    redis.zcount(key, `(${timestamp}`, '+inf'),
  ]);
  const samples = older.map((member) => JSON.parse(member) as PastSample);
  return {
    before: samples.filter((s) => s.t < timestamp).slice(0, count),
    same: samples.filter((s) => s.t === timestamp),
    newerExists: newer > 0,
  };
}

/** The member stored per sample: unique per event, with the verdict it got (a redelivery is answered from it, not re-added). */
export const memberOf = (sample: PastSample): string => JSON.stringify(sample);
