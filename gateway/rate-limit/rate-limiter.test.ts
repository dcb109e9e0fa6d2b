import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.ts';
import { redisRateLimiter } from './rate-limiter.ts';

/** The limiter's MULTI on a real Redis: a command that fails on its own is not read as a count of 0. */
let scratch: ScratchRedis;
beforeAll(async () => {
  scratch = await startScratchRedis();
}, 30_000);
afterAll(async () => scratch?.stop());

const limits = { read: 3, write: 2, ingest: 5, signIn: 2, windowMs: 60_000 };

describe('redisRateLimiter', () => {
  it('counts in Redis', async () => {
    const warnings: string[] = [];
    const limiter = redisRateLimiter(scratch.redis, limits, () => 0, recording(warnings));
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push((await limiter.take('counted', 'read')).allowed);
    expect(decisions).toEqual([true, true, true, false]);
    expect(warnings).toEqual([]);
  });

  it('says so when the INCR of its MULTI fails (WRONGTYPE), instead of silently counting 0', async () => {
    // Another writer left a list where the window's counter belongs: INCR fails, PEXPIRE is still applied.
    await scratch.redis.lpush('ratelimit:clobbered:read:0', 'in the way');
    const warnings: string[] = [];
    const limiter = redisRateLimiter(scratch.redis, limits, () => 0, recording(warnings));
    const decision = await limiter.take('clobbered', 'read');
    // Still open (a limiter must not lock operators out), but no longer in silence.
    expect(decision.allowed).toBe(true);
    expect(warnings.join('\n')).toMatch(
      /rate limiter could not count in Redis.*counting ratelimit:clobbered:read:0: 1 of 2 Redis commands failed \(command 1: WRONGTYPE/s,
    );
  });
});

/** A logger whose warnings (message and error) land in `into`. */
function recording(into: string[]) {
  return pino(
    { level: 'warn' },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { msg: string; err?: { message: string } };
        into.push(`${entry.msg}: ${entry.err?.message ?? ''}`);
      },
    },
  );
}
