import type { ChainableCommander, Redis } from 'ioredis';
import { type Alarm, type AlarmCondition, redisKeys, severityRank } from '#contracts';
import { execOrThrow, withRedisLocks } from '#runtime';
import { type AlarmPoint, alarmIdOf, fromHash, toHash } from './alarm-point.ts';
import { isAnnunciated } from './lifecycle.ts';

/**
 * Alarm state in Redis, as seed 001 lays it out:
 *   alarm:{alarmId}:state      HASH  one alarm's ISA state, timers and last values
 *   alarms:active:{tenantId}   ZSET  alarms an operator must see, worst severity, then latest, last
 *   alarms:shelved:{tenantId}  ZSET  shelved alarms, scored by when the shelf runs out
 *   alarms:suppressed:{tenantId} ZSET suppressed alarms, scored by when they were suppressed
 * and, for the alarm function itself:
 *   alarm:tag:{deviceId}:{tagId}  HASH  last sample time and value (rate of change, stale), and `quiet`
 *                                       while every alarm of the tag rests (see quietMark)
 *   alarm:tags                    SET   every tag with rules seen, for the stale sweep
 *   alarm:emitted:{causeId}       what handling an event (or a sweep's transition) announced, to republish it
 *   alarm:outbox                  ZSET  the sweep's causes written but not yet known to be published, by when
 *   alarm:raised:{tenantId}:{minute}  ZSET  the alarms raised in that minute, for the flood limit
 *   alarm:deferred, alarm:deferred:{alarmId}, alarm:settled:{eventId}  operators' actions waiting
 *                                 for a raise not seen yet (deferred-actions.ts)
 */
export const stateKey = redisKeys.alarmState;
export const activeKey = redisKeys.activeAlarms;
export const shelvedKey = redisKeys.shelvedAlarms;
export const suppressedKey = redisKeys.suppressedAlarms;
const tagKey = (deviceId: string, tagId: string) => `alarm:tag:${deviceId}:${tagId}`;
export const trackedTagsKey = 'alarm:tags';
const emittedKey = (causeId: string) => `alarm:emitted:${causeId}`;
const outboxKey = 'alarm:outbox';
const lockKey = (deviceId: string, tagId: string) => `lock:alarm:${deviceId}:${tagId}`;

const raisedKey = (tenantId: string, minute: number) => `alarm:raised:${tenantId}:${minute}`;

/**
 * Where a raised alarm falls among its tenant's alarms raised in the same minute (1 for
 * the first). Each raise is a member, numbered once in the order they came (one script,
 * so concurrent raises get distinct numbers): a retried or redelivered event that raises
 * it again gets the same number instead of counting it twice.
 */
export async function raisedOrdinal(redis: Redis, point: AlarmPoint, at: number): Promise<number> {
  const key = raisedKey(point.tenantId, Math.floor(at / 60_000));
  return Number(await redis.eval(numberOnce, 1, key, `${point.alarmId}@${at}`, '180'));
}

const numberOnce = `local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if rank then return rank + 1 end
local count = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], count, ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return count + 1`;

/** Orders the active list: severity first, then the most recently raised. */
export const activeScore = (point: AlarmPoint) => severityRank[point.severity] * 1e13 + (point.raisedAt ?? 0);

export async function loadPoints(
  redis: Redis,
  deviceId: string,
  tagId: string,
  conditions: readonly AlarmCondition[],
): Promise<Map<AlarmCondition, AlarmPoint>> {
  const hashes = await Promise.all(conditions.map((c) => redis.hgetall(stateKey(alarmIdOf(deviceId, tagId, c)))));
  const points = new Map<AlarmCondition, AlarmPoint>();
  hashes.forEach((hash, i) => {
    const point = fromHash(hash);
    if (point) points.set(conditions[i] as AlarmCondition, point);
  });
  return points;
}

export async function loadPoint(redis: Redis, alarmId: string): Promise<AlarmPoint | undefined> {
  return fromHash(await redis.hgetall(stateKey(alarmId)));
}

export async function lastSample(redis: Redis, deviceId: string, tagId: string): Promise<{ value: number; timestamp: number } | undefined> {
  const hash = await redis.hgetall(tagKey(deviceId, tagId));
  return hash.timestamp === undefined ? undefined : { value: Number(hash.value), timestamp: Number(hash.timestamp) };
}

/**
 * Queues the writes of changed points, keeping the active and shelved indexes in step. A
 * point written is no longer known to rest: its tag's quiet mark goes (the sample path puts
 * it back, in the same transaction, when it has seen all the tag's points at rest).
 */
export function writePoints(multi: ChainableCommander, points: readonly AlarmPoint[]): void {
  for (const point of points) {
    multi.hdel(tagKey(point.deviceId, point.tagId), 'quiet');
    multi.del(stateKey(point.alarmId)).hset(stateKey(point.alarmId), toHash(point));
    if (isAnnunciated(point.state)) multi.zadd(activeKey(point.tenantId), activeScore(point), point.alarmId);
    else multi.zrem(activeKey(point.tenantId), point.alarmId);
    if (point.state === 'SHELVED' && point.shelvedUntil !== undefined)
      multi.zadd(shelvedKey(point.tenantId), point.shelvedUntil, point.alarmId);
    else multi.zrem(shelvedKey(point.tenantId), point.alarmId);
    if (point.state === 'SUPPRESSED') multi.zadd(suppressedKey(point.tenantId), point.lastTransitionAt ?? 0, point.alarmId);
    else multi.zrem(suppressedKey(point.tenantId), point.alarmId);
  }
}

/**
 * What the sample path reads of a tag first, in one round trip for a chunk: its last sample
 * and its quiet mark. The mark says every alarm of the tag was, when last written, at rest
 * (NORMAL, inactive, no delay running) under the rule it names: then a sample for which no
 * condition holds changes nothing, and its points need not be read.
 */
export async function readTags(
  redis: Redis,
  tags: readonly { deviceId: string; tagId: string }[],
): Promise<{ last: { value: number; timestamp: number } | undefined; quiet: string | undefined }[]> {
  const pipeline = redis.pipeline();
  for (const { deviceId, tagId } of tags) pipeline.hgetall(tagKey(deviceId, tagId));
  const replies = (await execOrThrow(pipeline, 'reading the alarm tags of a chunk')) as Record<string, string>[];
  return replies.map((hash) => ({
    last: hash.timestamp === undefined ? undefined : { value: Number(hash.value), timestamp: Number(hash.timestamp) },
    quiet: hash.quiet,
  }));
}

/** Every point of a set of tags (each with its rule's conditions), in one round trip. */
export async function loadTagPoints(
  redis: Redis,
  tags: readonly { deviceId: string; tagId: string; conditions: readonly AlarmCondition[] }[],
): Promise<Map<AlarmCondition, AlarmPoint>[]> {
  const pipeline = redis.pipeline();
  for (const { deviceId, tagId, conditions } of tags) for (const c of conditions) pipeline.hgetall(stateKey(alarmIdOf(deviceId, tagId, c)));
  const replies = (await execOrThrow(pipeline, 'reading the alarm states of a chunk')) as Record<string, string>[];
  let next = 0;
  return tags.map(({ conditions }) => {
    const points = new Map<AlarmCondition, AlarmPoint>();
    for (const condition of conditions) {
      const point = fromHash(replies[next++] ?? {});
      if (point) points.set(condition, point);
    }
    return points;
  });
}

/** Queues the tag's last sample, and its quiet mark (`undefined`: not at rest). */
export function writeTagState(
  multi: ChainableCommander,
  deviceId: string,
  tagId: string,
  last: { value: number; timestamp: number },
  quiet: { mark: string | undefined; tracked: boolean },
): void {
  const key = tagKey(deviceId, tagId);
  multi.hset(key, { value: String(last.value), timestamp: String(last.timestamp) });
  if (quiet.mark === undefined) multi.hdel(key, 'quiet');
  else multi.hset(key, 'quiet', quiet.mark);
  if (!quiet.tracked) multi.sadd(trackedTagsKey, `${deviceId}|${tagId}`);
}

/** The tags of a chunk, locked together (see withRedisLocks). */
export function withTagLocks<T>(redis: Redis, tags: readonly { deviceId: string; tagId: string }[], work: () => Promise<T>): Promise<T> {
  const keys = tags.map(({ deviceId, tagId }) => lockKey(deviceId, tagId));
  return withRedisLocks(redis, keys, `alarm state of ${keys.length} tags`, work);
}

/**
 * Remembers what an event announced (one day), so its redelivery announces the same
 * again. Only events that announced something are remembered: a redelivered sample
 * that changed nothing is recognised by its timestamp (not newer than the last one).
 */
export function writeEmitted(multi: ChainableCommander, eventId: string, alarms: readonly Alarm[]): void {
  if (alarms.length > 0) multi.set(emittedKey(eventId), JSON.stringify(alarms), 'EX', 86_400);
}

export async function readEmitted(redis: Redis, eventId: string): Promise<Alarm[] | undefined> {
  const raw = await redis.get(emittedKey(eventId));
  return raw === null ? undefined : (JSON.parse(raw) as Alarm[]);
}

/**
 * The sweep's outbox. Nothing redelivers a tick, so what a sweep announces is kept
 * (the same record as an event's, without expiry) and indexed until the sweep learns it
 * was published; every sweep first republishes what is still there. Written in the
 * same MULTI as the state it announces: a transition written is a transition announced.
 */
export function writeOutbox(multi: ChainableCommander, causeId: string, alarms: readonly Alarm[], at: number): void {
  if (alarms.length === 0) return;
  multi.set(emittedKey(causeId), JSON.stringify(alarms)).zadd(outboxKey, at, causeId);
}

/** What earlier sweeps wrote and may not have published, oldest first. */
export async function readOutbox(redis: Redis): Promise<{ causeId: string; alarms: Alarm[] }[]> {
  const causes = await redis.zrange(outboxKey, 0, -1);
  const entries: { causeId: string; alarms: Alarm[] }[] = [];
  for (const causeId of causes) entries.push({ causeId, alarms: (await readEmitted(redis, causeId)) ?? [] });
  return entries;
}

/** Once published: out of the outbox. */
export async function clearOutbox(redis: Redis, causeIds: readonly string[]): Promise<void> {
  if (causeIds.length === 0) return;
  await execOrThrow(
    redis
      .multi()
      .zrem(outboxKey, ...causeIds)
      .del(...causeIds.map(emittedKey)),
    'clearing the alarm outbox',
  );
}

/**
 * Writes the indexes of the alarms an earlier attempt announced again, from their stored
 * state: a MULTI that failed part-way (one command refused, the rest applied) left the
 * announcement recorded but maybe not the active, shelved or suppressed lists. Idempotent.
 */
export async function rewriteIndexes(redis: Redis, alarms: readonly Alarm[]): Promise<void> {
  const points: AlarmPoint[] = [];
  for (const alarmId of new Set(alarms.map((a) => a.alarmId))) {
    const point = await loadPoint(redis, alarmId);
    if (point) points.push(point);
  }
  if (points.length === 0) return;
  const multi = redis.multi();
  writePoints(multi, points);
  await execOrThrow(multi, 'rewriting the alarm indexes');
}

/**
 * One writer per tag at a time: a sample, an operator's action and the stale sweep
 * may all touch the same alarms, from different partitions or replicas.
 */
export function withTagLock<T>(redis: Redis, deviceId: string, tagId: string, work: () => Promise<T>): Promise<T> {
  return withRedisLocks(redis, [lockKey(deviceId, tagId)], `alarm state of ${deviceId}/${tagId}`, work);
}
