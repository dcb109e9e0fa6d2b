import type { ChainableCommander, Redis } from 'ioredis';
import { liveChannels, redisKeys, type TelemetryValidated } from '#contracts';
import { execOrThrow } from '#runtime';
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
const versionsKey = redisKeys.tagHistoryVersions;

/** A tag's history, as this module addresses it. */
export interface TagRef {
  asset: string;
  tagId: string;
}

export interface Neighbourhood {
  /** Samples strictly older than the one at hand, newest first. */
  before: PastSample[];
  /** Samples with the same timestamp (a duplicate, or this very event redelivered). */
  same: PastSample[];
  /** Whether anything newer is already known: the sample arrived out of order. */
  newerExists: boolean;
}

/** One round trip: the samples around `timestamp` in a tag's history. */
export async function readNeighbourhood(redis: Redis, tag: TagRef, timestamp: number, count: number): Promise<Neighbourhood> {
  const key = historyKey(tag.asset, tag.tagId);
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

/** One round trip for a chunk's tags: each history's version (undefined: never written since versions exist). */
export async function readVersions(redis: Redis, tags: readonly TagRef[]): Promise<(number | undefined)[]> {
  const pipeline = redis.pipeline();
  for (const tag of tags) pipeline.hget(versionsKey(tag.asset), tag.tagId);
  const replies = await execOrThrow(pipeline, 'reading tag history versions');
  return replies.map(toVersion);
}

/**
 * One round trip: each tag's version, then its newest `count` samples, newest first. In that
 * order: a write landing between the two leaves an older version beside newer samples (read
 * again next time), never a current version beside samples that miss a write.
 */
export async function readNewest(
  redis: Redis,
  tags: readonly (TagRef & { count: number })[],
): Promise<{ version: number | undefined; samples: PastSample[] }[]> {
  const pipeline = redis.pipeline();
  for (const tag of tags) pipeline.hget(versionsKey(tag.asset), tag.tagId).zrevrange(historyKey(tag.asset, tag.tagId), 0, tag.count - 1);
  const replies = await execOrThrow(pipeline, 'reading tag histories');
  return tags.map((_, i) => ({
    version: toVersion(replies[2 * i]),
    samples: (replies[2 * i + 1] as string[]).map((member) => JSON.parse(member) as PastSample),
  }));
}

/**
 * Queues a tag's new samples (oldest first) and, when the newest of them is the tag's newest,
 * its current value and live announcements; the last command bumps the history's version,
 * whose new value is its reply. Returns how many commands it queued.
 */
export function queueHistoryWrite(
  multi: ChainableCommander,
  tag: TagRef,
  samples: readonly { member: PastSample; validated: TelemetryValidated }[],
  current: boolean,
): number {
  const key = historyKey(tag.asset, tag.tagId);
  const scored: (string | number)[] = [];
  for (const { member } of samples) scored.push(member.t, JSON.stringify(member));
  multi.zadd(key, ...scored).zremrangebyrank(key, 0, -(historyKept + 1));
  let queued = 3;
  const newest = samples.at(-1);
  if (current && newest) {
    const { validated } = newest;
    multi.hset(
      currentKey(tag.asset),
      tag.tagId,
      JSON.stringify({
        value: validated.value,
        quality: validated.quality,
        status: validated.status,
        flags: validated.flags,
        timestamp: validated.timestamp,
        unit: validated.unit,
        deviceId: validated.deviceId,
      }),
    );
    for (const { validated } of samples)
      multi.publish(liveChannels.well(tag.asset), JSON.stringify({ type: 'telemetry:update', data: validated }));
    queued += 1 + samples.length;
  }
  multi.hincrby(versionsKey(tag.asset), tag.tagId, 1);
  return queued;
}

function toVersion(reply: unknown): number | undefined {
  return reply === null || reply === undefined ? undefined : Number(reply);
}
