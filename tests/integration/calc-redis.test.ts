import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EspPerformance, type IprCalculated, topics, type WellTestCompleted } from '#contracts';
import { loadFunction } from '../../runtime/load-function.ts';
import { createTestBed, type TestBed } from '../../runtime/testing.ts';

/**
 * calc on the memory host against the real Redis: the compare-and-set Lua script that
 * keeps `calc:{kind}:{wellId}:latest` from moving back in time, the throttle window
 * (SET PX NX) and the TTLs, which the unit tests run on an in-process Redis. Uses
 * logical database 7 so its keys never meet another run's; live messages are filtered
 * by this run's test ids.
 */
const { redisUrl } = inject('services');
const run = Date.now();
let redis: Redis;
let subscriber: Redis;
let bed: TestBed;
const live: { type: string; data: { testId?: string; timestamp: number } }[] = [];

beforeAll(async () => {
  redis = new Redis(redisUrl, { db: 7 });
  subscriber = new Redis(redisUrl);
  subscriber.on('message', (_channel: string, message: string) => live.push(JSON.parse(message)));
  await subscriber.subscribe('live:well:norte-02', 'live:well:norte-03');
  await cleanUp();
  bed = await createTestBed({ functions: [await loadFunction('functions/calc')], redis, partitions: 1, publishSchemas: topics });
});

afterAll(async () => {
  await bed?.stop();
  await cleanUp();
  redis?.disconnect();
  subscriber?.disconnect();
});

async function cleanUp() {
  const keys = [...(await redis.keys('calc:*')), ...(await redis.keys('telemetry:norte-0*:current'))];
  if (keys.length > 0) await redis.del(...keys);
}

function wellTest(testId: string, timestamp: number): WellTestCompleted {
  return {
    testId,
    wellId: 'norte-03',
    tenantId: 'acme-energy',
    timestamp,
    oilRateStbd: 520,
    flowingBottomholePressurePsia: 1200,
    reservoirPressurePsia: 2200,
    bubblePointPressurePsia: 1700,
  };
}

describe('calc on a real Redis', () => {
  it('keeps the newest IPR as latest when an older test arrives late, with the configured TTL', async () => {
    const newer = run + 86_400_000;
    bed.publish('well-testing.test-completed', wellTest(`it-new-${run}`, newer), { key: 'norte-03' });
    bed.publish('well-testing.test-completed', wellTest(`it-old-${run}`, run), { key: 'norte-03' });
    await bed.drained();
    expect(bed.events<IprCalculated>('well-testing.ipr-calculated').map((e) => e.data.testId)).toEqual([`it-new-${run}`, `it-old-${run}`]);
    expect(JSON.parse((await redis.get('calc:ipr:norte-03:latest')) ?? '{}').testId).toBe(`it-new-${run}`);
    expect(JSON.parse((await redis.get(`calc:ipr:norte-03:${run}`)) ?? '{}').testId).toBe(`it-old-${run}`);
    expect(await redis.ttl('calc:ipr:norte-03:latest')).toBeGreaterThan(604_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(live.filter((m) => m.data.testId?.endsWith(`-${run}`)).map((m) => m.data.testId)).toEqual([`it-new-${run}`]);
  });

  it('computes the ESP once per window, with the window a TTL on Redis', async () => {
    const values = { oil_rate: 480, esp_frequency: 55, esp_motor_current: 43, esp_intake_pressure: 890, esp_discharge_pressure: 2690 };
    for (const [tag, value] of Object.entries(values)) {
      await redis.hset(
        'telemetry:norte-02:current',
        tag,
        JSON.stringify({ value, quality: 192, status: 'good', flags: [], timestamp: run, deviceId: 'rtu-w02' }),
      );
    }
    for (const [i, tagId] of Object.keys(values).entries()) {
      bed.publish(
        'scada.telemetry.validated',
        {
          timestamp: run + i,
          deviceId: 'rtu-w02',
          tagId,
          value: 1,
          quality: 192,
          sourceProtocol: 'SIMULATOR',
          status: 'good',
          flags: [],
          tenantId: 'acme-energy',
          wellId: 'norte-02',
          receivedAt: run,
        },
        { key: 'rtu-w02' },
      );
    }
    await bed.drained();
    const out = bed.events<EspPerformance>('production.calculations').map((e) => e.data);
    expect(out).toHaveLength(1);
    // 480 / (1 − 0.45) = 872.73 bbl/d through 1,800 psi: 872.73 · 1,800 · 1.70152e-5 = 26.729 hp.
    expect(out[0]?.hydraulicHorsepowerHp).toBeCloseTo(26.729, 2);
    const windowMs = await redis.pttl('calc:throttle:esp:norte-02');
    expect(windowMs).toBeGreaterThan(0);
    expect(windowMs).toBeLessThanOrEqual(10_000);
    expect(await redis.ttl('calc:esp:norte-02:latest')).toBeGreaterThan(290);
  });
});
