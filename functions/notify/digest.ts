import type { Redis } from 'ioredis';
import { z } from 'zod';
import { execOrThrow } from '#runtime';
import { keys } from './keys.ts';

export const HoldReason = z.enum(['flood', 'rate-limit']);
export type HoldReason = z.infer<typeof HoldReason>;

/** One alarm kept back from a channel, to be told in its next summary. */
export const HeldAlarm = z
  .object({
    alarmId: z.string(),
    severity: z.string(),
    /** raised, cleared…, or `escalation` for an escalation held by the rate limit. */
    what: z.string(),
    message: z.string(),
    wellId: z.string().optional(),
    timestamp: z.number(),
    reason: HoldReason,
    heldAt: z.number(),
  })
  .strict();
export type HeldAlarm = z.infer<typeof HeldAlarm>;

/** The alarms listed in a summary; the rest are only counted. */
const listedMax = 200;

export interface Digest {
  channelId: string;
  alarms: HeldAlarm[];
  /** How many alarms the summary covers, by reason: at least `alarms.length`. */
  counts: Record<HoldReason, number>;
  /** Entries read from the list (unreadable ones included): what settling removes. */
  listed: number;
}

/** Keeps an alarm back for the channel's next summary: always counted, listed while the list has room. */
export async function holdForSummary(redis: Redis, channelId: string, alarm: HeldAlarm): Promise<void> {
  const list = keys.digest(channelId);
  await execOrThrow(
    redis
      .multi()
      .rpush(list, JSON.stringify(alarm))
      .ltrim(list, 0, listedMax - 1)
      .hincrby(keys.digestCounts(channelId), alarm.reason, 1),
    `holding an alarm for channel "${channelId}"`,
  );
}

/** What the channel's next summary would say, or undefined when nothing is held. */
export async function pendingDigest(redis: Redis, channelId: string): Promise<Digest | undefined> {
  // One MULTI: the list and the counts must describe the same alarms (holding writes both in one MULTI too).
  const [entries, counts] = (await execOrThrow(
    redis.multi().lrange(keys.digest(channelId), 0, -1).hgetall(keys.digestCounts(channelId)),
    `reading the summary of channel "${channelId}"`,
  )) as [string[], Record<string, string>];
  const alarms = entries.flatMap((entry) => {
    const parsed = HeldAlarm.safeParse(safeJson(entry));
    return parsed.success ? [parsed.data] : [];
  });
  const digest: Digest = {
    channelId,
    alarms,
    counts: { flood: Number(counts.flood ?? 0), 'rate-limit': Number(counts['rate-limit'] ?? 0) },
    listed: entries.length,
  };
  return digest.counts.flood + digest.counts['rate-limit'] > 0 || entries.length > 0 ? digest : undefined;
}

/**
 * Removes what a summary covered; alarms held while it was being sent stay for the next.
 * The list only grows at its tail, so its first `listed` entries are the ones the summary read.
 */
export async function settleDigest(redis: Redis, digest: Digest): Promise<void> {
  await execOrThrow(
    redis
      .multi()
      .ltrim(keys.digest(digest.channelId), digest.listed, -1)
      .hincrby(keys.digestCounts(digest.channelId), 'flood', -digest.counts.flood)
      .hincrby(keys.digestCounts(digest.channelId), 'rate-limit', -digest.counts['rate-limit']),
    `settling the summary of channel "${digest.channelId}"`,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
