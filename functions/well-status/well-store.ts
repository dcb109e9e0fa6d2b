import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DownReason, liveChannels, redisKeys, WellStatus, WellStatusChanged } from '#contracts';
import { readStoredJson, withRedisLocks } from '#runtime';
import type { Tracking } from './status-machine.ts';

/**
 * The well-status function's Redis layout:
 *   well:{wellId}:state               HASH  the current status (contracts/redis-keys.ts; the gateway reads it)
 *   well-status:{wellId}:tracking     STRING JSON Tracking, plus the changes recently announced (to republish them)
 *   lock:well-status:{wellId}         one writer per well: samples of its devices may come from several partitions
 * and the live rooms' channel live:well:{wellId}, with `{ type: 'well:status', data }`.
 */
const trackingKey = (wellId: string) => `well-status:${wellId}:tracking`;
const lockKey = (wellId: string) => `lock:well-status:${wellId}`;

/** What an event announced: kept with the well so that its redelivery announces the same, under the same id. */
export interface Announced {
  eventId: string;
  change: WellStatusChanged;
}

export interface StoredWell {
  tracking: Tracking | undefined;
  announced: Announced[];
}

/** Changes are rare; this many per well covers any redelivered batch. */
const keepAnnounced = 50;

const verdict = { status: WellStatus, reason: DownReason.optional() };
const Stored = z.object({
  tracking: z.object({
    tags: z.record(z.string(), z.object({ value: z.number(), timestamp: z.number() })),
    holding: z.array(z.string()),
    clock: z.number().optional(),
    current: z.object({ ...verdict, since: z.number(), confirmedAt: z.number() }).optional(),
    pending: z.object({ ...verdict, since: z.number(), departedAt: z.number() }).optional(),
  }),
  announced: z.array(z.object({ eventId: z.string(), change: WellStatusChanged })).default([]),
});

/**
 * The stored state of some wells, in one round trip. A value that does not read as that state
 * (written by hand, or by a version that kept another shape) is logged and the well starts
 * afresh: its next status is judged anew, instead of its samples failing until dead-lettered.
 */
export async function readWells(redis: Redis, wellIds: readonly string[], log: Logger): Promise<StoredWell[]> {
  const stored = await readStoredJson(redis, wellIds.map(trackingKey), Stored, 'reading the well-status tracking of a chunk');
  return stored.map((s, i) => {
    if (!s.found) return { tracking: undefined, announced: [] };
    if ('value' in s) {
      const { tracking, announced } = s.value;
      return { tracking: { ...tracking, clock: tracking.clock, current: tracking.current, pending: tracking.pending }, announced };
    }
    log.warn({ wellId: wellIds[i], issues: s.issues.slice(0, 3) }, 'unreadable well-status tracking in Redis; the well starts afresh');
    return { tracking: undefined, announced: [] };
  });
}

/**
 * Queues a well's tracking with what its events announced, in the chunk's one transaction
 * with the changes themselves (writeChange): a state written is an announcement remembered,
 * so a redelivery after a failed publish finds it and publishes it again.
 */
export function writeWell(multi: ChainableCommander, wellId: string, tracking: Tracking, announced: readonly Announced[]): void {
  multi.set(trackingKey(wellId), JSON.stringify({ tracking, announced: announced.slice(-keepAnnounced) }));
}

/** Queues the current status (`well:{wellId}:state`, replaced whole) and its `well:status` live message. */
export function writeChange(multi: ChainableCommander, change: WellStatusChanged): void {
  const key = redisKeys.wellState(change.wellId);
  multi.del(key).hset(key, {
    wellId: change.wellId,
    tenantId: change.tenantId,
    ...(change.fieldId ? { fieldId: change.fieldId } : {}),
    status: change.status,
    ...(change.reason ? { reason: change.reason } : {}),
    since: String(change.since),
    confirmedAt: String(change.confirmedAt),
    profile: change.profile,
  });
  // Field rooms take the well's channel too (gateway/live/rooms.ts): one publish reaches both.
  multi.publish(liveChannels.well(change.wellId), JSON.stringify({ type: 'well:status', data: change }));
}

/** The wells of a chunk, locked together (see withRedisLocks). */
export function withWellLocks<T>(redis: Redis, wellIds: readonly string[], work: () => Promise<T>): Promise<T> {
  return withRedisLocks(redis, wellIds.map(lockKey), `well status of ${wellIds.length} wells`, work);
}
