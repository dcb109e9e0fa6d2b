import { describe, expect, inject, it } from 'vitest';
import type { TelemetryRaw } from '#contracts';
import { until } from '../support/kafka.ts';
import { recordCase } from './journal.ts';
import { ownServices } from './own-services.ts';
import { type FunctionName, recordAndCheck, runFaultCase, startFaultPipeline } from './pipeline.ts';

/**
 * The functions themselves fail or arrive late, on a broker of this file's own (so the
 * first case meets consumer groups that have never joined):
 * - a function deployed while samples already flow: nothing from before its first join is lost;
 * - each function SIGKILLed in the middle of a burst (no shutdown, nothing committed for
 *   its chunk), restarted 2 s later: the redelivery is absorbed, nothing is stored twice;
 * - device clocks 30 days ahead and 2 hours behind, through the whole pipeline.
 */
const services = inject('faults');
const own = ownServices('processes', { kafka: 12 });
const { kafka } = own;

const pipelineOn = (functions?: FunctionName[]) =>
  startFaultPipeline({
    kafkaBrokers: kafka.brokers,
    databaseUrl: services.databaseUrl,
    redisUrl: own.redis.url,
    ...(functions ? { functions } : {}),
  });

describe('functions failing, and arriving late', () => {
  it('validate deployed while samples already flow: its new group starts from the earliest offset', async () => {
    const pipeline = await pipelineOn(['alarm', 'persist']);
    try {
      let waitingAtJoin = 0;
      const result = await runFaultCase(
        pipeline,
        async (_, producing) => {
          await until(async () => producing.sent() >= 100, '100 samples sent before validate exists', 60_000);
          waitingAtJoin = producing.sent();
          expect(await pipeline.stored()).toBe(0);
          await pipeline.start('validate');
        },
        { flowingFirst: false },
      );
      recordAndCheck('late-deploy', `validate deployed after ${waitingAtJoin} samples were sent (a group never joined)`, result);
    } finally {
      await pipeline.close();
    }
  });

  for (const name of ['validate', 'alarm', 'persist'] as const) {
    it(`${name} SIGKILLed mid-batch and restarted`, async () => {
      const pipeline = await pipelineOn();
      try {
        const result = await runFaultCase(pipeline, async (_, producing) => {
          const before = await pipeline.stored();
          // 1,000 samples at once: the functions are busy with them when the kill comes.
          const burst = producing.burst(500);
          if (name === 'validate') await burst;
          else {
            await until(async () => ((await pipeline.stored()) > before + 20 ? true : undefined), 'the burst reaching persist', 60_000);
          }
          await pipeline.kill(name);
          await burst;
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          await pipeline.start(name);
        });
        recordAndCheck(`kill-${name}`, `${name} SIGKILLed during a 1,000-sample burst, restarted after 2 s`, result);
      } finally {
        await pipeline.close();
      }
    });
  }

  it('device clocks 30 days ahead and 2 hours behind', async () => {
    const pipeline = await pipelineOn();
    try {
      const [ahead, behind] = pipeline.devices as [string, string];
      const now = Date.now();
      const casing = (deviceId: string, timestamp: number, value: number): TelemetryRaw => ({
        timestamp,
        deviceId,
        tagId: 'casing_pressure',
        value,
        quality: 192,
        sourceProtocol: 'MODBUS',
      });
      const DAY = 86_400_000;
      const real = Array.from({ length: 10 }, (_, i) => casing(ahead, now - 10_000 + i * 1000, 400 + i));
      const skewedAhead = Array.from({ length: 20 }, (_, i) => casing(ahead, now + 30 * DAY + i * 1000, 900));
      const realAfter = Array.from({ length: 10 }, (_, i) => casing(ahead, now + 1000 + i * 1000, 410 + i));
      const skewedBehind = Array.from({ length: 20 }, (_, i) => casing(behind, now - 2 * 3_600_000 + i * 1000, 300 + i));
      let extra = 0;
      const result = await runFaultCase(pipeline, async () => {
        for (const batch of [real, skewedAhead, realAfter, skewedBehind]) {
          await pipeline.produce(batch);
          extra += batch.length;
        }
      });
      const quarantined = await until(
        async () => {
          const n = await pipeline.quarantined();
          return n >= skewedAhead.length ? n : undefined;
        },
        'the samples from the future quarantined',
        60_000,
      ).catch(() => pipeline.quarantined());
      const storedCasing = await until(
        async () => {
          const n = await pipeline.stored('casing_pressure');
          return n >= real.length + realAfter.length + skewedBehind.length ? n : undefined;
        },
        'the casing samples stored',
        60_000,
      ).catch(() => pipeline.stored('casing_pressure'));
      const sent = result.sent + extra;
      recordCase({
        name: 'clock-skew',
        fault: 'one device 30 days ahead (20 samples), one 2 h behind (20 samples), amid live samples',
        sent,
        stored: result.stored + storedCasing + quarantined,
        lost: sent - result.stored - storedCasing - quarantined,
        alarms: { expected: result.alarmsExpected, stored: result.alarmsStored },
        absorbed: result.absorbed,
        duplicates: result.duplicates,
        deadLetters: result.deadLetters,
        notes: `quarantined ${quarantined} (30 d ahead, out of history and rollups); stored ${storedCasing} casing samples (the 2 h behind ones as stale)`,
      });
      expect(quarantined).toBe(skewedAhead.length);
      expect(storedCasing).toBe(real.length + realAfter.length + skewedBehind.length);
      expect(result.duplicates).toBe(0);
      expect(result.deadLetters).toEqual({});
      expect(result.alarmsStored).toBe(result.alarmsExpected);
    } finally {
      await pipeline.close();
    }
  });
});
