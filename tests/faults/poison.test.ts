import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createEvent, encodeEvent } from '../../runtime/envelope.ts';
import { freePort } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { recordCase } from './journal.ts';
import { startFaultPipeline, subscribedTopics } from './pipeline.ts';

/**
 * Poison written straight to Kafka, past the gateway, between good samples of the same
 * device (so the same partition): each kind ends in scada.telemetry.raw.dlq with its
 * reason, every good sample is stored, and the worker never restarts.
 */
const services = inject('faults');
let redis: OwnRedis;
let kafka: TestKafka;
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await redis.start();
  kafka = await connectTestKafka(services.kafkaBrokers);
});
afterAll(async () => {
  await kafka.close();
  await redis.kill();
});

describe('poison on scada.telemetry.raw', () => {
  it('dead-letters each of 17 kinds with its reason while the partition keeps flowing', async () => {
    const pipeline = await startFaultPipeline({
      kafkaBrokers: services.kafkaBrokers,
      databaseUrl: services.databaseUrl,
      redisUrl: redis.url,
    });
    try {
      const device = pipeline.devices[0] as string;
      const now = Date.now();
      const good = (i: number) => ({
        timestamp: now + i * 1000,
        deviceId: device,
        tagId: 'tubing_pressure',
        value: 850 + i,
        quality: 192,
        sourceProtocol: 'MODBUS',
      });
      const envelope = (data: unknown) =>
        encodeEvent(createEvent({ source: 'urn:flowline:faults', type: 'scada.telemetry.raw', data })).toString('utf8');
      const poison: Record<string, string> = {
        'not JSON': '{"broken',
        'JSON null': 'null',
        'a JSON array': '[1,2,3]',
        'a CloudEvent without an id': JSON.stringify({ specversion: '1.0', source: 'x', type: 'scada.telemetry.raw', data: good(0) }),
        'a value that is a string': envelope({ ...good(1), value: 'high' }),
        'a value that overflows to Infinity': envelope(good(2)).replace('"value":852', '"value":1e400'),
        'a negative timestamp': envelope({ ...good(3), timestamp: -5 }),
        'a timestamp after 2100': envelope({ ...good(4), timestamp: 4_200_000_000_000 }),
        'no deviceId': envelope({ ...good(5), deviceId: undefined }),
        'an oversized deviceId': envelope({ ...good(6), deviceId: 'r'.repeat(300) }),
        'a hostile deviceId': envelope({ ...good(7), deviceId: "x'; DROP TABLE telemetry;--" }),
        'an unknown protocol': envelope({ ...good(8), sourceProtocol: 'CARRIER-PIGEON' }),
        'a quality byte out of range': envelope({ ...good(9), quality: 300 }),
        'an unexpected field': envelope({ ...good(10), note: 'x' }),
        'a huge payload': envelope({ ...good(11), note: 'x'.repeat(800_000) }),
        'a valid envelope around empty data': envelope({}),
        'a device no tenant owns': envelope({ ...good(12), deviceId: 'rtu-nobody' }),
      };
      const kinds = Object.keys(poison);
      // good 100.., then one poison, then a good one, … all keyed by the device: one partition.
      const messages = kinds.flatMap((kind, i) => [
        { key: device, value: envelope(good(100 + i)) },
        { key: device, value: poison[kind] as string },
      ]);
      messages.push({ key: device, value: envelope(good(100 + kinds.length)) });
      const pids = Object.values(pipeline.processes).map((p) => p.child.pid);
      for (const m of messages) await kafka.producer.send({ topic: 'scada.telemetry.raw', acks: -1, messages: [m] });
      const expectedGood = kinds.length + 1;

      const stored = await until(
        async () => ((await pipeline.stored()) >= expectedGood ? pipeline.stored() : undefined),
        'the good samples',
        120_000,
      );
      const letters = await until(
        async () => {
          const d = await pipeline.deadLetters();
          return Object.values(d).reduce((a, b) => a + b, 0) >= kinds.length ? d : undefined;
        },
        `${kinds.length} dead letters`,
        60_000,
      );
      const reasons = await pipeline.deadLetterReasons();
      recordCase({
        name: 'poison',
        fault: `${kinds.length} kinds of poison on scada.telemetry.raw`,
        sent: expectedGood,
        stored,
        lost: expectedGood - stored,
        absorbed: await pipeline.absorbed(),
        duplicates: await pipeline.duplicates(),
        deadLetters: letters,
        notes: `reasons: ${reasons.join(' | ').slice(0, 2000)}`,
      });
      expect(stored).toBe(expectedGood);
      expect(Object.values(letters).reduce((a, b) => a + b, 0)).toBe(kinds.length);
      expect(reasons.every((r) => r.length > 0)).toBe(true);
      // No worker restarted: the same processes, all still running.
      expect(Object.values(pipeline.processes).map((p) => p.child.exitCode)).toEqual([null, null, null]);
      expect(Object.values(pipeline.processes).map((p) => p.child.pid)).toEqual(pids);
    } finally {
      await pipeline.close();
    }
  });

  it('dead-letters poison on every other topic the functions subscribe to, and the samples keep flowing', async () => {
    const pipeline = await startFaultPipeline({
      kafkaBrokers: services.kafkaBrokers,
      databaseUrl: services.databaseUrl,
      redisUrl: redis.url,
    });
    try {
      const generic = (topic: string): Record<string, string> => {
        const envelope = (data: unknown) => encodeEvent(createEvent({ source: 'urn:flowline:faults', type: topic, data })).toString('utf8');
        return {
          'not JSON': '{"broken',
          'JSON null': 'null',
          'a JSON array': '[1,2,3]',
          'a CloudEvent without an id': JSON.stringify({ specversion: '1.0', source: 'x', type: topic, data: {} }),
          'a valid envelope around empty data': envelope({}),
          'data of the wrong type': envelope(42),
          'a hostile string for every field': envelope({
            tenantId: "x'; DROP TABLE telemetry;--",
            deviceId: '\u0000',
            alarmId: '<script>',
          }),
          'a huge payload': envelope({ note: 'x'.repeat(800_000) }),
        };
      };
      // Which of the pipeline's functions read each topic: each dead-letters its own copy.
      const readers: Record<string, number> = { 'scada.telemetry.validated': 2 };
      const topics = subscribedTopics.filter((t) => t !== 'scada.telemetry.raw');
      const pids = Object.values(pipeline.processes).map((p) => p.child.pid);
      const producing = pipeline.produceSteadily();
      let expected = 0;
      for (const topic of topics) {
        const kinds = generic(topic);
        for (const value of Object.values(kinds)) {
          await kafka.producer.send({ topic, acks: -1, messages: [{ key: pipeline.devices[0] as string, value }] });
        }
        expected += Object.keys(kinds).length * (readers[topic] ?? 1);
      }
      const letters = await until(
        async () => {
          const d = await pipeline.deadLetters();
          return Object.values(d).reduce((a, b) => a + b, 0) >= expected ? d : undefined;
        },
        `${expected} dead letters`,
        120_000,
      ).catch(() => pipeline.deadLetters());
      const sent = await producing.stop();
      const stored = await until(
        async () => ((await pipeline.stored()) >= sent ? pipeline.stored() : undefined),
        'the samples',
        120_000,
      ).catch(() => pipeline.stored());
      recordCase({
        name: 'poison-everywhere',
        fault: `8 kinds of poison on each of the ${topics.length} other subscribed topics, amid live samples`,
        sent,
        stored,
        lost: sent - stored,
        absorbed: await pipeline.absorbed(),
        duplicates: await pipeline.duplicates(),
        deadLetters: letters,
      });
      expect(Object.values(letters).reduce((a, b) => a + b, 0)).toBe(expected);
      for (const topic of topics) {
        const own = Object.entries(letters)
          .filter(([reason]) => reason.startsWith(`${topic.replace(/^scada\./, '')}.dlq:`))
          .reduce((n, [, c]) => n + c, 0);
        expect(own, `dead letters on ${topic}.dlq`).toBe(8 * (readers[topic] ?? 1));
      }
      expect(stored).toBe(sent);
      expect(Object.values(pipeline.processes).map((p) => p.child.pid)).toEqual(pids);
      expect(Object.values(pipeline.processes).map((p) => p.child.exitCode)).toEqual([null, null, null]);
    } finally {
      await pipeline.close();
    }
  });
});
