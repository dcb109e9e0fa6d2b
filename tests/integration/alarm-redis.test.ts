import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Alarm, TelemetryValidated } from '#contracts';
import { newAlarmPoint } from '../../functions/alarm/alarm-point.ts';
import { raisedOrdinal, withTagLock } from '../../functions/alarm/alarm-store.ts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { loadFunction } from '../../runtime/load-function.ts';
import { execOrThrow } from '../../runtime/resources/redis-exec.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../support/telemetry-samples.ts';

/**
 * alarm on the memory host against the real Redis, for what only Redis itself decides:
 * a MULTI with one command refused at run time (the others applied), the lock's
 * compare-and-delete. Logical database 8, flushed per test, so no other run's keys meet these.
 */
const { redisUrl } = inject('services');
let redis: Redis;
let bed: TestBed;
let t0 = 0;
const previousConfigDir = process.env.FLOWLINE_CONFIG_DIR;
const fastRetry = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 };

beforeAll(() => {
  redis = new Redis(redisUrl, { db: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'flowline-alarm-redis-'));
  cpSync('config/examples', dir, { recursive: true });
  writeFileSync(
    join(dir, 'alarm-rules.yaml'),
    `flood: { maxRaisedPerMinute: 3 }
rules:
  - tagId: tubing_pressure
    unit: psi
    limits: { HH: 1450, H: 1200, L: 300, LL: 150 }
    deadband: 25
    onDelaySeconds: 3
    offDelaySeconds: 5
`,
  );
  process.env.FLOWLINE_CONFIG_DIR = dir;
});
afterAll(() => {
  if (previousConfigDir === undefined) delete process.env.FLOWLINE_CONFIG_DIR;
  else process.env.FLOWLINE_CONFIG_DIR = previousConfigDir;
  redis?.disconnect();
});

beforeEach(async () => {
  t0 = Date.now();
  await redis.flushdb();
  const alarm = await loadFunction('functions/alarm');
  bed = await createTestBed({ functions: [{ ...alarm, manifest: { ...alarm.manifest, retry: fastRetry } }], redis, partitions: 1 });
});
afterEach(() => bed.stop());

const sample = (atMs: number, value: number, overrides: Partial<TelemetryValidated> = {}) =>
  validatedSample({ timestamp: t0 + atMs, value, ...overrides });

describe('MULTI results on a real Redis', () => {
  it('execOrThrow throws when one command of a MULTI fails, though Redis applied the others', async () => {
    await redis.set('not-a-list', 'x');
    await expect(execOrThrow(redis.multi().set('applied', '1').lpush('not-a-list', 'y'), 'test write')).rejects.toThrow(
      /test write: 1 of 2 Redis commands failed \(command 2: WRONGTYPE/,
    );
    expect(await redis.get('applied')).toBe('1'); // why it must throw: nothing was rolled back
  });

  it('a sample whose alarm write fails part-way is retried and dead-lettered with the reason, then repaired by its replay', async () => {
    bed.publish('scada.telemetry.validated', sample(0, 1300), { key: 'rtu-w01' });
    await bed.drained();
    await redis.set('alarms:active:acme-energy', 'in the way'); // the raise's ZADD fails with WRONGTYPE
    bed.publish('scada.telemetry.validated', sample(3_000, 1300), { key: 'rtu-w01', id: 'raises-h' });
    await bed.drained();
    const [letter] = bed.deadLetters('scada.telemetry.validated');
    expect(letter?.headers[deadLetterHeader.reason]).toMatch(/gave up after 2 attempts: .*WRONGTYPE/);

    await redis.del('alarms:active:acme-energy'); // the operator fixes the key and replays the dead letter
    bed.publish('scada.telemetry.validated', sample(3_000, 1300), { key: 'rtu-w01', id: 'raises-h' });
    await bed.drained();
    expect(await redis.zrange('alarms:active:acme-energy', 0, -1)).toEqual(['rtu-w01.tubing_pressure.H']);
    const raised = bed.events<Alarm>('scada.alarms').filter((e) => e.data.transition === 'raised');
    expect(new Set(raised.map((e) => e.id)).size).toBe(1); // every copy under one id
  });
});

describe('the tag lock on a real Redis', () => {
  const lockKey = 'lock:alarm:rtu-w01:tubing_pressure';

  /**
   * The lock expires and another writer takes it just before the `at`-th command the
   * release sends for the lock key: every moment it can change hands during the release.
   */
  async function releaseWhileTakenOver(at: number): Promise<{ takenOver: boolean; holder: string | null }> {
    let working = true;
    let commands = 0;
    let takenOver = false;
    const racing = new Proxy(redis, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        // The lock is taken in a pipeline (before `working` ends); only the release is raced.
        if (property === 'pipeline') return value.bind(target);
        return async (...args: unknown[]) => {
          if (!working && args.includes(lockKey) && ++commands === at) {
            await redis.set(lockKey, 'another-writer', 'PX', 10_000);
            takenOver = true;
          }
          return value.apply(target, args);
        };
      },
    });
    await withTagLock(racing, 'rtu-w01', 'tubing_pressure', async () => {
      working = false;
    });
    return { takenOver, holder: await redis.get(lockKey) };
  }

  it('releases only its own lock, wherever in the release the lock changes hands', async () => {
    const outcomes = [];
    for (const at of [1, 2, 3]) {
      await redis.del(lockKey);
      outcomes.push(await releaseWhileTakenOver(at));
    }
    expect(outcomes[0]?.takenOver).toBe(true); // at least one interleaving was really tried
    for (const { takenOver, holder } of outcomes) expect(holder).toBe(takenOver ? 'another-writer' : null);
  });
});

describe('the flood count on a real Redis', () => {
  it('numbers each raise once, in the order they came, however often it is counted', async () => {
    const point = (deviceId: string) =>
      newAlarmPoint({
        tenantId: 'acme-energy',
        fieldId: undefined,
        wellId: undefined,
        deviceId,
        tagId: 'tubing_pressure',
        condition: 'H',
        severity: 'HIGH',
        threshold: 1200,
        unit: 'psi',
      });
    const at = Math.floor(t0 / 60_000) * 60_000; // the start of a minute: at + 5 s stays in it
    expect(await raisedOrdinal(redis, point('rtu-w01'), at)).toBe(1);
    expect(await raisedOrdinal(redis, point('rtu-w01'), at)).toBe(1); // the retry of the same raise
    const concurrent = await Promise.all(['rtu-w02', 'rtu-w03', 'rtu-w04'].map((d) => raisedOrdinal(redis, point(d), at)));
    expect(concurrent.sort()).toEqual([2, 3, 4]);
    expect(await raisedOrdinal(redis, point('rtu-w01'), at + 5_000)).toBe(5); // raised again later: a new raise
    expect(await redis.ttl(`alarm:raised:acme-energy:${Math.floor(at / 60_000)}`)).toBeGreaterThan(0);
  });
});
