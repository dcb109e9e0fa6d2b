import { afterAll, beforeAll, describe, it } from 'vitest';
import { freePort } from '../support/function-process.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { outage, outageMs } from './outage.ts';
import { ownKafka, ownPostgres } from './own-services.ts';

/** PostgreSQL stopped under the pipeline (its own server, broker and Redis: the case stops the server). */
const kafka = ownKafka('postgres-outage', 2);
const postgres = ownPostgres('postgres-outage', 1);
let redis: OwnRedis;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await Promise.all([redis.start(), kafka.start(), postgres.start()]);
}, 300_000);
afterAll(async () => {
  await redis.kill();
  await Promise.all([kafka.stop(), postgres.stop()]);
}, 120_000);

describe('PostgreSQL outage on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`PostgreSQL stopped (${outageMs / 1000} s)`, async () => {
    await outage(
      { kafkaBrokers: kafka.brokers, databaseUrl: postgres.url, redisUrl: redis.url },
      'postgres-outage',
      `PostgreSQL stopped ${outageMs / 1000} s`,
      postgres.stop,
      postgres.start,
    );
  });
});
