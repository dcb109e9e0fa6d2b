import { describe, inject, it } from 'vitest';
import { outage, outageMs } from './outage.ts';
import { ownServices } from './own-services.ts';

/** Redis killed under the pipeline and back empty, as with no persistence (its own Redis and broker). */
const services = inject('faults');
const own = ownServices('redis-outage', { kafka: 20 });
const { kafka } = own;

describe('Redis outage on the real pipeline (validate → alarm → persist, kafka host)', () => {
  it(`Redis killed (${outageMs / 1000} s) and restarted empty`, async () => {
    await outage(
      { kafkaBrokers: kafka.brokers, databaseUrl: services.databaseUrl, redisUrl: own.redis.url },
      'redis-outage',
      `Redis SIGKILLed ${outageMs / 1000} s, back empty`,
      () => own.redis.kill(),
      () => own.redis.start(),
      { alarmStateLost: true },
    );
  });
});
