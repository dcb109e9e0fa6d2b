/**
 * What following well tests costs the well-test function on PostgreSQL: a pad of `--wells`
 * wells, each RTU reporting five of the tags a test reads (its own three rates, the tubing
 * and the bottom-hole pressure) every `--step` seconds for `--minutes` minutes, while `--tests`
 * of them are under test through a meter of their own (three more rates each step). The function
 * runs on the memory host (batches of 500, as its manifest sets) with the local PostgreSQL;
 * every sample is routed, the running tests' readings stored and each test judged at every
 * new reading time. Prints the samples per second and how the tests ended.
 *
 *   node bench/well-test.ts [--wells 50] [--tests 4] [--minutes 120] [--step 60]
 *
 * Uses the local PostgreSQL (started here if absent) and a database of its own, dropped
 * afterwards. Compare the lines of one run, not runs across machines.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { topics, type WellTestCreated } from '../contracts/index.ts';
import { queryWellTests } from '../functions/well-test/test-store.ts';
import { wellTestFunction } from '../functions/well-test/well-test-function.ts';
import { loadManifest } from '../runtime/load-function.ts';
import { openDb } from '../runtime/resources/db.ts';
import { createTestBed } from '../runtime/testing.ts';
import { validatedSample } from '../tests/support/telemetry-samples.ts';
import { ownDatabase } from './own-database.ts';

const { values } = parseArgs({
  options: {
    wells: { type: 'string', default: '50' },
    tests: { type: 'string', default: '4' },
    minutes: { type: 'string', default: '120' },
    step: { type: 'string', default: '60' },
  },
});
const wellCount = Number(values.wells);
const testCount = Math.min(wellCount, Number(values.tests));
const minutes = Number(values.minutes);
const stepSeconds = Number(values.step);

const database = await ownDatabase('bench_well_test');
const db = await openDb(database.url, { statementTimeoutMs: 300_000 });

try {
  // The Redis stand-in: the function only announces judgements on it, which this does not measure.
  const bed = await createTestBed({
    functions: [
      {
        manifest: await loadManifest(join(import.meta.dirname, '..', 'functions', 'well-test')),
        definition: wellTestFunction({ tickEveryMs: 3_600_000 }),
      },
    ],
    db,
    redis: new RedisMock() as unknown as Redis,
    partitions: 3,
    publishSchemas: topics,
  });
  const t0 = Date.parse('2026-12-01T12:00:00Z');
  const wells = Array.from({ length: wellCount }, (_, i) => `w-${i}`);
  for (const wellId of wells.slice(0, testCount)) {
    const test: WellTestCreated = {
      testId: `test-${wellId}`,
      wellId,
      tenantId: 'acme-energy',
      deviceId: `meter-${wellId}`,
      method: 'multiphase-meter',
      createdAt: t0,
      plannedMinutes: 60,
      maxMinutes: minutes * 2,
      reservoirPressurePsia: 2500,
      bubblePointPressurePsia: 1800,
      createdBy: 'bench',
    };
    bed.publish('well-testing.test-created', test, { key: wellId });
  }
  await bed.drained(60_000);

  let samples = 0;
  const feeding = performance.now();
  for (let step = 0; step * stepSeconds <= minutes * 60; step++) {
    const timestamp = t0 + step * stepSeconds * 1000;
    const wobble = step % 2 ? 1 : -1;
    for (const [i, wellId] of wells.entries()) {
      const rtu = { deviceId: `rtu-${wellId}`, wellId, timestamp };
      for (const [tagId, value] of [
        ['oil_rate', 500 + wobble * 5],
        ['gas_rate', 250],
        ['water_rate', 100],
        ['tubing_pressure', 150],
        ['bottomhole_pressure', 1200 + wobble * 6],
      ] as const) {
        bed.publish('scada.telemetry.validated', validatedSample({ ...rtu, tagId, value }), { key: rtu.deviceId });
        samples++;
      }
      if (i >= testCount) continue;
      const meter = { deviceId: `meter-${wellId}`, wellId, timestamp };
      for (const [tagId, value] of [
        ['oil_rate', 480 + wobble * 5],
        ['gas_rate', 240],
        ['water_rate', 90],
      ] as const) {
        bed.publish('scada.telemetry.validated', validatedSample({ ...meter, tagId, value }), { key: meter.deviceId });
        samples++;
      }
    }
  }
  await bed.drained(600_000);
  const seconds = (performance.now() - feeding) / 1000;
  console.log(
    `follow   ${samples} samples of ${wellCount} wells every ${stepSeconds} s over ${minutes} min, ${testCount} under test: ${seconds.toFixed(1)} s, ${Math.round(samples / seconds)} samples/s`,
  );
  const ended = (
    await Promise.all(wells.slice(0, testCount).map((wellId) => queryWellTests(db, { tenantId: 'acme-energy', wellId, limit: 1 })))
  ).flat();
  console.log(`tests    ${ended.map((t) => `${t.testId} ${t.state} at ${t.elapsedMinutes} min (${t.readings} readings)`).join('; ')}`);
  await bed.stop();
} finally {
  await db.close();
  await database.drop();
}
