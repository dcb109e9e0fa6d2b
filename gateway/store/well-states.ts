import { z } from '@hono/zod-openapi';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DownReason, redisKeys, WellStatus } from '#contracts';

const epochMillis = z.coerce.number().int().nonnegative();

/** `well:{wellId}:state` (written by the well-status function): the well's current status. */
const StoredWellState = z.object({
  status: WellStatus,
  reason: DownReason.optional(),
  since: epochMillis,
  confirmedAt: epochMillis,
  profile: z.string(),
});

export const CurrentWellStatus = z
  .object({
    status: WellStatus,
    reason: DownReason.optional().describe('why it is down: esp-trip, ssv-closed or no-flow'),
    since: z.number().int().describe('when the well entered this status (sample time, epoch ms)'),
    confirmedAt: z.number().int().describe('when the status had held for its hold time and was announced'),
    profile: z.string().describe('the well-status-rules profile that judged it'),
  })
  .openapi('CurrentWellStatus');
export type CurrentWellStatus = z.infer<typeof CurrentWellStatus>;

/**
 * A well's current status, or null before its first one (or when what Redis holds does not
 * read as a status: logged, and answered as unknown rather than failing the whole answer).
 */
export async function readWellState(redis: Redis, wellId: string, log: Logger): Promise<CurrentWellStatus | null> {
  const hash = await redis.hgetall(redisKeys.wellState(wellId));
  if (Object.keys(hash).length === 0) return null;
  const parsed = StoredWellState.safeParse(hash);
  if (parsed.success) return parsed.data;
  log.warn({ wellId, issues: parsed.error.issues.slice(0, 3) }, 'unreadable well state in Redis; answered as unknown');
  return null;
}
