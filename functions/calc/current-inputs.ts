import type { Redis } from 'ioredis';
import { z } from 'zod';
import { type InputQuality, redisKeys } from '#contracts';

/**
 * One field of validate's current-values hash `telemetry:{wellId}:current` (seed 001):
 * checked here because another function wrote it, in another release perhaps.
 */
const CurrentValue = z.object({
  value: z.number().finite(),
  quality: z.number().int(),
  status: z.enum(['good', 'suspect', 'bad']),
  flags: z.array(z.string()),
  timestamp: z.number().int().nonnegative(),
  unit: z.string().optional(),
  deviceId: z.string(),
});

export type CurrentInputs<K extends string> =
  | { ok: true; values: Record<K, number>; newestTimestamp: number; quality: InputQuality; deviceId: string }
  | { ok: false; reason: string };

export const currentValuesKey = redisKeys.currentValues;

/**
 * Reads a calculation's inputs from the well's current values, one round trip, and
 * says whether they can be used together: every input present, none bad, none flagged
 * stale by validate, and none older than the newest input by more than
 * `maxSpreadSeconds` (values from different moments do not describe one operating
 * state). Staleness is judged against the inputs themselves, not the wall clock, so a
 * replay of old data computes what it computed then.
 */
export async function readCurrentInputs<K extends string>(
  redis: Redis,
  wellId: string,
  tags: Record<K, string>,
  maxSpreadSeconds: number,
): Promise<CurrentInputs<K>> {
  const names = Object.keys(tags) as K[];
  const raw = await redis.hmget(currentValuesKey(wellId), ...names.map((n) => tags[n]));
  const read = new Map<K, z.infer<typeof CurrentValue>>();
  for (const [i, name] of names.entries()) {
    const tagId = tags[name];
    const text = raw[i];
    if (text === null || text === undefined) return { ok: false, reason: `no current value for ${tagId}` };
    let parsed: ReturnType<typeof CurrentValue.safeParse>;
    try {
      parsed = CurrentValue.safeParse(JSON.parse(text));
    } catch {
      return { ok: false, reason: `current value of ${tagId} is not JSON` };
    }
    if (!parsed.success) return { ok: false, reason: `current value of ${tagId} is malformed: ${parsed.error.issues[0]?.message}` };
    const current = parsed.data;
    if (current.status === 'bad') return { ok: false, reason: `${tagId} is bad (${current.flags.join(', ') || 'quality'})` };
    if (current.flags.includes('stale')) return { ok: false, reason: `${tagId} is stale` };
    read.set(name, current);
  }
  const all = [...read.values()];
  const newestTimestamp = Math.max(...all.map((c) => c.timestamp));
  for (const [name, current] of read) {
    const lagSeconds = (newestTimestamp - current.timestamp) / 1000;
    if (lagSeconds > maxSpreadSeconds) {
      return { ok: false, reason: `${tags[name]} is ${lagSeconds.toFixed(0)} s older than the newest input (limit ${maxSpreadSeconds} s)` };
    }
  }
  const values = Object.fromEntries(names.map((n) => [n, read.get(n)?.value ?? Number.NaN])) as Record<K, number>;
  const quality: InputQuality = all.every((c) => c.status === 'good') ? 'good' : 'suspect';
  const newest = all.find((c) => c.timestamp === newestTimestamp);
  return { ok: true, values, newestTimestamp, quality, deviceId: newest?.deviceId ?? '' };
}
