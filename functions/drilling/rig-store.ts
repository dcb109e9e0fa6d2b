import type { ChainableCommander, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type DrillingCalculation, liveChannels, redisKeys, TorqueDragCalculated } from '#contracts';
import { readStoredJson, withRedisLocks } from '#runtime';
import type { WellControlTrack } from './well-control.ts';

/**
 * The drilling function's Redis layout:
 *   drilling:{wellId}:state            HASH  the latest wellControl and torqueDrag results (contracts/redis-keys.ts)
 *   drilling:{wellId}:tracking         STRING JSON RigTracking, plus what recent events announced (to republish them)
 *   lock:drilling:{wellId}             one writer per well: a rig's tags may come from several partitions
 * and the live rooms' channel live:well:{wellId}, with `{ type: 'drilling:update', data }`.
 */
const trackingKey = (wellId: string) => `drilling:${wellId}:tracking`;
const lockKey = (wellId: string) => `lock:drilling:${wellId}`;

/** One message a poll announced, kept so a redelivery publishes it again under the same id. */
export interface Publication {
  topic: 'drilling.calculations' | 'scada.telemetry.validated';
  key: string;
  data: unknown;
}

export interface Announced {
  eventId: string;
  publications: Publication[];
}

type FrictionPoint = TorqueDragCalculated['frictionTrend'][number];

export interface RigTracking {
  /** The newest poll judged: one not newer is a redelivery or too late. */
  clock: number | undefined;
  /** Whether the poll at `clock` was judged (a poll split across chunks may have lacked its inputs at first). */
  judgedAtClock: boolean;
  tags: Record<string, { value: number; timestamp: number; suspect: boolean }>;
  watch: WellControlTrack;
  lastWellControlAt: number | undefined;
  lastTorqueDragAt: number | undefined;
  frictionTrend: FrictionPoint[];
}

export interface StoredRig {
  tracking: RigTracking | undefined;
  announced: Announced[];
}

/** A redelivered chunk is at most a batch: this many polls' announcements cover it. */
const keepAnnounced = 50;

const optionalNumber = z.number().optional();
const Reading = z.object({
  timestamp: z.number(),
  pitVolumeBbl: z.number(),
  flowInGpm: z.number(),
  flowOutGpm: optionalNumber,
  bitDepthFt: optionalNumber,
  holeDepthFt: optionalNumber,
  hookLoadKlbf: optionalNumber,
  rotarySpeedRpm: optionalNumber,
  surfaceTorqueKftLbf: optionalNumber,
});
const Stored = z.object({
  tracking: z.object({
    clock: optionalNumber,
    judgedAtClock: z.boolean(),
    tags: z.record(z.string(), z.object({ value: z.number(), timestamp: z.number(), suspect: z.boolean() })),
    watch: z.object({
      window: z.array(
        z.object({ timestamp: z.number(), pitVolumeBbl: z.number(), bitDepthFt: optionalNumber, holeDepthFt: optionalNumber }),
      ),
      previous: Reading.optional(),
      pumpsOn: z.boolean().optional(),
      pumpsStoppedAt: optionalNumber,
      pumpsStartedAt: optionalNumber,
      flowGainSince: optionalNumber,
      flowLossSince: optionalNumber,
      kick: z.boolean(),
      losses: z.boolean(),
    }),
    lastWellControlAt: optionalNumber,
    lastTorqueDragAt: optionalNumber,
    frictionTrend: TorqueDragCalculated.shape.frictionTrend,
  }),
  announced: z.array(
    z.object({
      eventId: z.string(),
      publications: z.array(
        z.object({ topic: z.enum(['drilling.calculations', 'scada.telemetry.validated']), key: z.string(), data: z.unknown() }),
      ),
    }),
  ),
});

/**
 * The stored state of some rigs' wells, in one round trip. A value that does not read as that
 * state (written by hand, or by a version that kept another shape) is logged and the rig
 * starts afresh, instead of its samples failing until dead-lettered.
 */
export async function readRigs(redis: Redis, wellIds: readonly string[], log: Logger): Promise<StoredRig[]> {
  const stored = await readStoredJson(redis, wellIds.map(trackingKey), Stored, 'reading the drilling tracking of a chunk');
  return stored.map((s, i) => {
    if (!s.found) return { tracking: undefined, announced: [] };
    // The schema is RigTracking's shape; the keys JSON dropped (undefined) read back as undefined.
    if ('value' in s) return s.value as StoredRig;
    log.warn({ wellId: wellIds[i], issues: s.issues.slice(0, 3) }, 'unreadable drilling tracking in Redis; the rig starts afresh');
    return { tracking: undefined, announced: [] };
  });
}

/**
 * Queues a rig's tracking with what its events announced, in the chunk's one transaction
 * with the results themselves (writeResults): a state written is an announcement remembered,
 * so a redelivery after a failed publish finds it and publishes it again.
 */
export function writeRig(multi: ChainableCommander, wellId: string, tracking: RigTracking, announced: readonly Announced[]): void {
  multi.set(trackingKey(wellId), JSON.stringify({ tracking, announced: announced.slice(-keepAnnounced) }));
}

/** Queues the latest results in `drilling:{wellId}:state` and their `drilling:update` live message. */
export function writeResults(multi: ChainableCommander, wellId: string, results: readonly DrillingCalculation[]): void {
  if (results.length === 0) return;
  const fields: Record<string, string> = {};
  const update: { wellId: string; wellControl?: DrillingCalculation; torqueDrag?: DrillingCalculation } = { wellId };
  let updatedAt = 0;
  for (const result of results) {
    if (result.kind === 'well-control') update.wellControl = result;
    if (result.kind === 'torque-drag') update.torqueDrag = result;
    updatedAt = Math.max(updatedAt, result.timestamp);
  }
  if (update.wellControl) fields.wellControl = JSON.stringify(update.wellControl);
  if (update.torqueDrag) fields.torqueDrag = JSON.stringify(update.torqueDrag);
  multi.hset(redisKeys.drillingState(wellId), { ...fields, updatedAt: String(updatedAt) });
  // Field rooms take the well's channel too (gateway/live/rooms.ts): one publish reaches both.
  multi.publish(liveChannels.well(wellId), JSON.stringify({ type: 'drilling:update', data: update }));
}

/** The wells of a chunk, locked together (see withRedisLocks). */
export function withRigLocks<T>(redis: Redis, wellIds: readonly string[], work: () => Promise<T>): Promise<T> {
  return withRedisLocks(redis, wellIds.map(lockKey), `drilling state of ${wellIds.length} wells`, work);
}
