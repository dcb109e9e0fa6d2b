import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { freePort } from '../support/function-process.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { outage, outageMs } from './outage.ts';
import { ownKafka } from './own-services.ts';

/** Redis killed under the pipeline and back empty, as with no persistence (its own Redis and broker). */
const services = inject('faults');
const kafka = ownKafka('redis-outage', 20);
let redis: OwnRedis;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await Promise.all([redis.start(), kafka.start()]);
}, 300_000);
afterAll(async () => {
  await redis.kill();
  await kafka.stop();
}, 120_000);

describe('Redis outage on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`Redis killed (${outageMs / 1000} s) and restarted empty`, async () => {
    await outage(
      { kafkaBrokers: kafka.brokers, databaseUrl: services.databaseUrl, redisUrl: redis.url },
      'redis-outage',
      `Redis SIGKILLed ${outageMs / 1000} s, back empty`,
      () => redis.kill(),
      () => redis.start(),
    );
  });
});
