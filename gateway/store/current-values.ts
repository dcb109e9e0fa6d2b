import { z } from '@hono/zod-openapi';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys, TelemetryFlag, TelemetryStatus } from '#contracts';

/** One field of `telemetry:{asset}:current` (written by validate): a tag's newest sample. */
const StoredCurrent = z.object({
  value: z.number(),
  quality: z.number().int().min(0).max(255),
  status: TelemetryStatus,
  flags: z.array(TelemetryFlag),
  timestamp: z.number().int(),
  unit: z.string().optional(),
  deviceId: z.string(),
});

/** One member of `telemetry:{asset}:history:{tag}`: t time, v value, q quality. */
const StoredSample = z.object({ t: z.number(), v: z.number(), q: z.number() });

export const RecentSample = z.object({ t: z.number().int(), v: z.number(), q: z.number().int() }).openapi('RecentSample');

export const TagValue = StoredCurrent.extend({
  tagId: z.string(),
  recent: z.array(RecentSample).describe('the last samples, oldest first (at most 100): a sparkline'),
}).openapi('TagValue');
export type TagValue = z.infer<typeof TagValue>;

const recentCount = 100;

/**
 * The current values (and their recent samples) of some assets, one round trip each
 * for the hashes and the histories. A field that fails its schema is left out and
 * logged: one bad entry must not blank a whole control-room screen.
 */
export async function readCurrentValues(redis: Redis, assetIds: readonly string[], log: Logger): Promise<Map<string, TagValue[]>> {
  const hashes = await Promise.all(assetIds.map((id) => redis.hgetall(redisKeys.currentValues(id))));
  const tags = assetIds.map((assetId, i) =>
    Object.entries(hashes[i] ?? {}).flatMap(([tagId, raw]) => {
      const parsed = StoredCurrent.safeParse(safeJson(raw));
      if (parsed.success) return [{ tagId, current: parsed.data }];
      log.warn({ assetId, tagId, issues: parsed.error.issues.slice(0, 3) }, 'unreadable current value in Redis; left out');
      return [];
    }),
  );
  const histories = await Promise.all(
    assetIds.flatMap((assetId, i) => (tags[i] ?? []).map((t) => redis.zrange(redisKeys.tagHistory(assetId, t.tagId), -recentCount, -1))),
  );
  const result = new Map<string, TagValue[]>();
  let h = 0;
  assetIds.forEach((assetId, i) => {
    const values = (tags[i] ?? []).map(({ tagId, current }) => {
      const recent = (histories[h++] ?? []).flatMap((member) => {
        const sample = StoredSample.safeParse(safeJson(member));
        return sample.success ? [{ t: sample.data.t, v: sample.data.v, q: sample.data.q }] : [];
      });
      return { ...current, tagId, recent };
    });
    result.set(
      assetId,
      values.sort((a, b) => a.tagId.localeCompare(b.tagId)),
    );
  });
  return result;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
