import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';
import { freePort } from '../support/function-process.ts';
import { until } from '../support/kafka.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { recordCase } from './journal.ts';
import { startFaultPipeline } from './pipeline.ts';

/**
 * A dependency away for longer than every retry budget, while samples keep coming:
 * 0 dead letters, everything stored once it is back, readiness false meanwhile.
 * FAULT_OUTAGE_SECONDS sets the outage (45 s by default; the 180 s for a long run).
 */
const services = inject('faults');
const outageMs = Number(process.env.FAULT_OUTAGE_SECONDS ?? '45') * 1000;
let redis: OwnRedis;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await redis.start();
});
afterAll(() => redis.kill());

async function outage(name: string, fault: string, stop: () => Promise<unknown>, start: () => Promise<unknown>) {
  const pipeline = await startFaultPipeline({
    kafkaBrokers: services.kafkaBrokers,
    databaseUrl: services.databaseUrl,
    redisUrl: redis.url,
  });
  try {
    const producing = pipeline.produceSteadily();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await stop();
    const outageEnds = Date.now() + outageMs;
    await until(async () => (await pipeline.readyz()) === 503, 'readiness false during the outage', outageMs);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
    const notReadyAtEnd = await pipeline.readyz();
    await start();
    const back = Date.now();
    // Recovery: until everything sent before the dependency came back is stored.
    const sentBeforeBack = producing.sent();
    await until(async () => ((await pipeline.stored()) >= sentBeforeBack ? true : undefined), 'the backlog stored', 180_000).catch(
      () => {},
    );
    const recoveryMs = Date.now() - back;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const sent = await producing.stop();
    const stored = await until(
      async () => {
        const n = await pipeline.stored();
        return n >= sent ? n : undefined;
      },
      `all ${sent} samples stored`,
      180_000,
    ).catch(() => pipeline.stored());
    const deadLetters = await pipeline.deadLetters();
    const absorbed = await pipeline.absorbed();
    const duplicates = await pipeline.duplicates();
    recordCase({ name, fault, sent, stored, lost: sent - stored, absorbed, duplicates, deadLetters, recoveryMs });
    expect(duplicates).toBe(0);
    expect(notReadyAtEnd).toBe(503);
    expect(deadLetters).toEqual({});
    expect(stored).toBe(sent);
    expect(await pipeline.readyz()).toBe(200);
  } finally {
    await pipeline.close();
  }
}

describe('dependency outages on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`PostgreSQL stopped (${outageMs / 1000} s)`, async () => {
    await outage(
      'postgres-outage',
      `PostgreSQL stopped ${outageMs / 1000} s`,
      () => stopPostgres({ stateDir: services.postgresStateDir }),
      () => startPostgres({ port: services.postgresPort, stateDir: services.postgresStateDir }),
    );
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
