import { expect } from 'vitest';
import { until } from '../support/kafka.ts';
import { recordAndCheck, runFaultCase, startFaultPipeline } from './pipeline.ts';

/**
 * A dependency away for longer than every retry budget, while samples keep coming:
 * 0 dead letters, everything stored once it is back, readiness false meanwhile.
 * FAULT_OUTAGE_SECONDS sets the outage (60 s by default; the 180 s for a long run).
 */
export const outageMs = Number(process.env.FAULT_OUTAGE_SECONDS ?? '60') * 1000;

export async function outage(
  services: { kafkaBrokers: string; databaseUrl: string; redisUrl: string },
  name: string,
  fault: string,
  stop: () => Promise<unknown>,
  start: () => Promise<unknown>,
  options: { alarmStateLost?: boolean } = {},
): Promise<void> {
  const pipeline = await startFaultPipeline(services);
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
    if (options.alarmStateLost) {
      // Redis back empty takes the alarm state with it (no persistence): an alarm active then
      // is raised anew, one clearing then never clears. Exactly that, once per device, and
      // nothing else: each device's transitions are the wave's with its state reset at one step.
      const { expected, explanation } = await pipeline.alarmsAfterStateLoss();
      recordAndCheck(name, fault, { ...result, alarmsExpected: expected }, `alarm state lost with Redis: ${explanation}`);
    } else recordAndCheck(name, fault, result);
    expect(notReadyAtEnd).toBe(503);
    await until(async () => (await pipeline.readyz()) === 200, 'readiness back', 30_000);
  } finally {
    await pipeline.close();
  }
}
