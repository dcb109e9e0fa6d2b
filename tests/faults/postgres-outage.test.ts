import { describe, it } from 'vitest';
import { outage, outageMs } from './outage.ts';
import { type OwnPostgres, ownServices } from './own-services.ts';

/** PostgreSQL stopped under the pipeline (its own server, broker and Redis: the case stops the server). */
const own = ownServices('postgres-outage', { kafka: 2, postgres: 1 });
const { kafka } = own;
const postgres = own.postgres as OwnPostgres;

describe('PostgreSQL outage on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`PostgreSQL stopped (${outageMs / 1000} s)`, async () => {
    await outage(
      { kafkaBrokers: kafka.brokers, databaseUrl: postgres.url, redisUrl: own.redis.url },
      'postgres-outage',
      `PostgreSQL stopped ${outageMs / 1000} s`,
      postgres.stop,
      postgres.start,
    );
  });
});
