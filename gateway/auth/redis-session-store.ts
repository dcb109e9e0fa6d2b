import type { Redis } from 'ioredis';
import type { Role } from '#contracts';
import type { RotateOutcome, SessionRecord, SessionStore } from './session-store.ts';

/**
 * The gateway's own keys (no function reads them, so they live here rather than in
 * contracts/redis-keys.ts). Each expires with the sign-in it belongs to.
 */
const keys = {
  // The braces are a hash tag: on a Redis Cluster both keys of a session share a slot, as the rotation script needs.
  /** HASH userId, tenantId, role, createdAt, expiresAt, current (SHA-256 of the live refresh token). */
  session: (sessionId: string) => `session:{${sessionId}}`,
  /** SET of the SHA-256 of every refresh token the session has rotated away: presenting one again is reuse. */
  rotated: (sessionId: string) => `session:{${sessionId}}:rotated`,
  /** ZSET sessionId → expiresAt: a user's sessions, for an administrator's revoke. */
  ofUser: (tenantId: string, userId: string) => `sessions:user:${tenantId}:${userId}`,
};

// One round trip, atomic: two replicas refreshing with the same token cannot both win.
const rotateScript = `
local current = redis.call('HGET', KEYS[1], 'current')
if not current then return {'unknown'} end
local fields = redis.call('HMGET', KEYS[1], 'userId', 'tenantId', 'role', 'createdAt', 'expiresAt')
if current == ARGV[1] then
  redis.call('HSET', KEYS[1], 'current', ARGV[2])
  redis.call('SADD', KEYS[2], ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], fields[5])
  return {'rotated', fields[1], fields[2], fields[3], fields[4], fields[5]}
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'reused', fields[1], fields[2], fields[3], fields[4], fields[5]}
end
return {'unknown'}`;

/** Sessions in Redis, shared by every gateway replica: a sign-out or a revoke on one is seen by all. */
export function redisSessionStore(redis: Redis): SessionStore {
  const recordOf = (sessionId: string, fields: (string | null)[]): SessionRecord => ({
    sessionId,
    userId: String(fields[0]),
    tenantId: String(fields[1]),
    role: String(fields[2]) as Role,
    createdAt: Number(fields[3]),
    expiresAt: Number(fields[4]),
  });
  const readSession = async (sessionId: string): Promise<SessionRecord | undefined> => {
    const fields = await redis.hmget(keys.session(sessionId), 'userId', 'tenantId', 'role', 'createdAt', 'expiresAt');
    return fields[0] === null ? undefined : recordOf(sessionId, fields);
  };
  const forget = async (session: SessionRecord) => {
    await redis
      .multi()
      .del(keys.session(session.sessionId), keys.rotated(session.sessionId))
      .zrem(keys.ofUser(session.tenantId, session.userId), session.sessionId)
      .exec();
  };
  return {
    async create(session, refreshHash) {
      const ofUser = keys.ofUser(session.tenantId, session.userId);
      const results = await redis
        .multi()
        .hset(keys.session(session.sessionId), {
          userId: session.userId,
          tenantId: session.tenantId,
          role: session.role,
          createdAt: String(session.createdAt),
          expiresAt: String(session.expiresAt),
          current: refreshHash,
        })
        .pexpireat(keys.session(session.sessionId), session.expiresAt)
        .zremrangebyscore(ofUser, '-inf', String(session.createdAt))
        .zadd(ofUser, String(session.expiresAt), session.sessionId)
        .zrange(ofUser, -1, -1, 'WITHSCORES')
        .exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed)
        throw new Error(`Redis did not store the session: ${failed?.[0]?.message ?? 'the transaction was discarded'}`);
      // The index lives as long as the user's longest session.
      const latest = results[4]?.[1] as string[] | undefined;
      await redis.pexpireat(ofUser, Number(latest?.[1] ?? session.expiresAt));
    },
    async rotate(sessionId, presentedHash, nextHash): Promise<RotateOutcome> {
      const reply = (await redis.eval(rotateScript, 2, keys.session(sessionId), keys.rotated(sessionId), presentedHash, nextHash)) as (
        | string
        | null
      )[];
      const [kind, ...fields] = reply;
      if (kind === 'rotated') return { kind, session: recordOf(sessionId, fields) };
      if (kind === 'reused') {
        const session = recordOf(sessionId, fields);
        await redis.zrem(keys.ofUser(session.tenantId, session.userId), sessionId);
        return { kind, session };
      }
      return { kind: 'unknown' };
    },
    async isActive(sessionId) {
      return (await redis.exists(keys.session(sessionId))) === 1;
    },
    async revoke(sessionId) {
      const session = await readSession(sessionId);
      if (session) await forget(session);
      return session;
    },
    async revokeUser(tenantId, userId) {
      const sessionIds = await redis.zrange(keys.ofUser(tenantId, userId), 0, -1);
      if (sessionIds.length === 0) return [];
      const live = await Promise.all(sessionIds.map(async (id) => ((await redis.exists(keys.session(id))) === 1 ? id : undefined)));
      await redis
        .multi()
        .del(...sessionIds.flatMap((id) => [keys.session(id), keys.rotated(id)]))
        .del(keys.ofUser(tenantId, userId))
        .exec();
      return live.filter((id): id is string => id !== undefined);
    },
  };
}
