import type { Redis } from 'ioredis';
import { CommandResult } from '#contracts';
import { execOrThrow } from '../../runtime/resources/redis-exec.ts';

/**
 * The edge adapters' latest answers to commands, per tenant, kept by the gateway (no
 * function reads scada.commands.results):
 *   commands:results:{tenantId}   ZSET  each CommandResult as JSON, scored by when the edge decided
 * The newest `commandResultsKept` stay; a tenant with no command for 30 days loses its list. A result
 * is also announced on `live:system:{tenantId}`, the channel of the tenant's system room.
 */
const resultsKey = (tenantId: string) => `commands:results:${tenantId}`;
const liveChannel = (tenantId: string) => `live:system:${tenantId}`;
const idleSeconds = 30 * 86_400;
export const commandResultsKept = 200;

/** Idempotent: a redelivered result is the same member, so it is neither doubled nor reordered. */
export async function recordCommandResult(redis: Redis, tenantId: string, result: CommandResult): Promise<void> {
  const key = resultsKey(tenantId);
  await execOrThrow(
    redis
      .multi()
      .zadd(key, result.timestamp, JSON.stringify(result))
      .zremrangebyrank(key, 0, -(commandResultsKept + 1))
      .expire(key, idleSeconds)
      .publish(liveChannel(tenantId), JSON.stringify({ type: 'command:result', data: result })),
    `recording the result of command ${result.commandId} for ${tenantId}`,
  );
}

/** A tenant's latest command results, newest first; an entry that no longer reads as a CommandResult is left out. */
export async function readCommandResults(redis: Redis, tenantId: string, limit: number): Promise<CommandResult[]> {
  const members = await redis.zrevrange(resultsKey(tenantId), 0, limit - 1);
  return members.flatMap((member) => {
    try {
      const parsed = CommandResult.safeParse(JSON.parse(member));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
