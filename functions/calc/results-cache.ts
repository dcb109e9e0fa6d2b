import type { Redis } from 'ioredis';

export type CalculationKind = 'ipr' | 'esp' | 'mse' | 'gas-lift';

export const resultKey = (kind: CalculationKind, wellId: string, timestamp: number) => `calc:${kind}:${wellId}:${timestamp}`;
export const latestKey = (kind: CalculationKind, wellId: string) => `calc:${kind}:${wellId}:latest`;
export const liveChannel = (wellId: string) => `live:well:${wellId}`;

// Replaces `latest` only with a result at least as new: a late or redelivered older
// input must not hide a newer result. The value starts with its timestamp (see below),
// so the script reads it without a JSON parser.
const setIfNotOlder = `
local current = redis.call('GET', KEYS[1])
if current then
  local ts = string.match(current, '^{"timestamp":(%d+)')
  if ts and tonumber(ts) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * Caches a result under seed 001's keys, `calc:{kind}:{wellId}:{timestamp}` and
 * `calc:{kind}:{wellId}:latest`, both with a TTL, and announces it to live views on
 * `live:well:{wellId}` as `{ type: 'calculation:{kind}', data }` when it became the
 * latest (a late older result is cached but not shown as current). Writing the same
 * result twice (a redelivery) leaves the same keys; live views may see it twice.
 */
export async function cacheAndAnnounce(
  redis: Redis,
  kind: CalculationKind,
  result: { wellId: string; timestamp: number },
  ttlSeconds: number,
): Promise<{ latest: boolean }> {
  // `timestamp` first: the script above reads it from the start of the value.
  const json = JSON.stringify(Object.assign({ timestamp: result.timestamp }, result));
  const ttl = Math.max(1, Math.round(ttlSeconds));
  await redis.set(resultKey(kind, result.wellId, result.timestamp), json, 'EX', ttl);
  const latest = (await redis.eval(setIfNotOlder, 1, latestKey(kind, result.wellId), json, String(result.timestamp), String(ttl))) === 1;
  if (latest) await redis.publish(liveChannel(result.wellId), JSON.stringify({ type: `calculation:${kind}`, data: result }));
  return { latest };
}
