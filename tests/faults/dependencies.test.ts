import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/function-process.ts';
import { until } from '../support/kafka.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { ownKafka, ownPostgres } from './own-services.ts';
import { recordAndCheck, runFaultCase, startFaultPipeline } from './pipeline.ts';

/**
 * A dependency away for longer than every retry budget, while samples keep coming:
 * 0 dead letters, everything stored once it is back, readiness false meanwhile.
 * FAULT_OUTAGE_SECONDS sets the outage (45 s by default; the 180 s for a long run).
 * Its own broker, PostgreSQL and Redis: the cases stop them under the pipeline.
 */
const outageMs = Number(process.env.FAULT_OUTAGE_SECONDS ?? '45') * 1000;
const kafka = ownKafka('dependencies', 2);
const postgres = ownPostgres('dependencies', 1);
let redis: OwnRedis;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await Promise.all([redis.start(), kafka.start(), postgres.start()]);
}, 300_000);
afterAll(async () => {
  await redis.kill();
  await Promise.all([kafka.stop(), postgres.stop()]);
}, 120_000);

async function outage(name: string, fault: string, stop: () => Promise<unknown>, start: () => Promise<unknown>) {
  const pipeline = await startFaultPipeline({ kafkaBrokers: kafka.brokers, databaseUrl: postgres.url, redisUrl: redis.url });
  try {
    let notReadyAtEnd = 0;
    const result = await runFaultCase(pipeline, async () => {
      await stop();
      const outageEnds = Date.now() + outageMs;
      await until(async () => (await pipeline.readyz()) === 503, 'readiness false during the outage', outageMs);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
      notReadyAtEnd = await pipeline.readyz();
      await start();
    });
    recordAndCheck(name, fault, result);
    expect(notReadyAtEnd).toBe(503);
    await until(async () => (await pipeline.readyz()) === 200, 'readiness back', 30_000);
  } finally {
    await pipeline.close();
  }
}

describe('dependency outages on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`PostgreSQL stopped (${outageMs / 1000} s)`, async () => {
    await outage('postgres-outage', `PostgreSQL stopped ${outageMs / 1000} s`, postgres.stop, postgres.start);
  });

  it(`Redis killed (${outageMs / 1000} s) and restarted empty`, async () => {
    await outage(
      'redis-outage',
      `Redis SIGKILLed ${outageMs / 1000} s, back empty`,
      () => redis.kill(),
      () => redis.start(),
    );
  });
});
