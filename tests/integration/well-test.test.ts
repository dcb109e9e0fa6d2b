import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IprCalculated, WellTestCompleted, WellTestCreated } from '#contracts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage, until } from '../support/kafka.ts';
import { validatedSample } from '../support/telemetry-samples.ts';
import { createTestTenant } from '../support/test-tenant.ts';

/**
 * well-test and calc on the kafka host, as deployed: real Kafka, PostgreSQL and Redis. A test
 * is created on well-testing.test-created; the separator's rates and the well's pressures
 * arrive as validated telemetry, settling after a slug in the first 20 minutes; the test is
 * judged steady at minute 60 (its planned minutes, the last 30 of them within the shipped
 * well-test-rules), completed on well-testing.test-completed with its stabilised averages, and
 * calc publishes its IPR. The run has its own tenant, field, devices and database.
 */
const { kafkaBrokers, redisUrl, databaseUrl } = inject('services');

let kafka: TestKafka;
let sql: pg.Client;
let wellTest: FunctionProcess;
let calc: FunctionProcess;
let tenant: string;
let field: string;
let well: string;
let rtu: string;
let separator: string;
let testId: string;
// An hour and a half ago: the test ran in the past, so its readings are all there already.
const t0 = Date.now() - 90 * 60_000;
const at = (minutes: number) => t0 + minutes * 60_000;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  const run = await createTestTenant({ databaseUrl, prefix: 'welltest' });
  tenant = run.tenant;
  field = `f-${run.id}`;
  well = `w-${run.id}-1`;
  rtu = run.devices[0];
  separator = `sep-${run.id}`;
  testId = `test-${run.id}`;
  writeFileSync(
    join(run.configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenant}, name: Test }]
fields: [{ id: ${field}, name: Field, tenantId: ${tenant} }]
wells:
  - { id: ${well}, name: Well-1, fieldId: ${field} }
devices:
  - { id: ${rtu}, wellId: ${well} }
  - { id: ${separator}, fieldId: ${field} }
`,
  );
  for (const kind of ['well-test-rules', 'well-models'])
    cpSync(join(repoRoot, 'config', 'examples', `${kind}.yaml`), join(run.configDir, `${kind}.yaml`));
  sql = new pg.Client({ connectionString: run.databaseUrl });
  await sql.connect();
  const inputs = ['well-testing.test-created', 'scada.telemetry.validated', 'well-testing.test-completed'];
  await kafka.createTopics([...inputs, ...inputs.map((t) => `${t}.dlq`), 'well-testing.ipr-calculated'], 3);
  const env = {
    FLOWLINE_HOST: 'kafka',
    KAFKA_BROKERS: kafkaBrokers,
    REDIS_URL: redisUrl,
    DATABASE_URL: run.databaseUrl,
    FLOWLINE_CONFIG_DIR: run.configDir,
  };
  [wellTest, calc] = await Promise.all([
    startFunctionProcess({ dir: join(repoRoot, 'functions', 'well-test'), name: `well-test-${run.id}`, env }),
    startFunctionProcess({ dir: join(repoRoot, 'functions', 'calc'), name: `calc-${run.id}`, env }),
  ]);
  await Promise.all([wellTest.ready(90_000), calc.ready(90_000)]);
}, 180_000);

afterAll(async () => {
  await Promise.all([wellTest?.stop(), calc?.stop()]);
  await sql?.end();
  await kafka?.close();
});

const sample = (deviceId: string, wellId: string | undefined, tagId: string, timestamp: number, value: number) =>
  validatedSample({ deviceId, wellId, tagId, timestamp, value, tenantId: tenant, fieldId: field });

/** A slug for 20 minutes (oil 300–700, pressure 1000–1400), then oil 640 ± 4 and pressure 1300 ± 5. */
const oilAt = (m: number) => (m < 20 ? 500 + 200 * Math.sin(m) : m % 2 ? 644 : 636);
const pressureAt = (m: number) => (m < 20 ? 1200 + 200 * Math.cos(m) : m % 2 ? 1305 : 1295);

const row = async () =>
  (
    await sql.query<{ state: string; waiting_for: string[]; readings: number; published: boolean }>(
      'SELECT state, waiting_for, readings, published_at IS NOT NULL AS published FROM well_tests WHERE test_id = $1',
      [testId],
    )
  ).rows[0];

describe('well-test on the kafka host', () => {
  it('follows a test while it runs and says why it waits', async () => {
    const created: WellTestCreated = {
      testId,
      wellId: well,
      tenantId: tenant,
      fieldId: field,
      deviceId: separator,
      method: 'test-separator',
      createdAt: at(0),
      plannedMinutes: 60,
      maxMinutes: 180,
      reservoirPressurePsia: 2400,
      bubblePointPressurePsia: 1700,
      createdBy: 'ana',
    };
    await kafka.produce('well-testing.test-created', [{ key: well, data: created }]);
    await until(async () => (await row())?.state === 'running', 'the test stored');
    const minutes = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i).flatMap((m) => [
        { key: separator, data: sample(separator, undefined, 'oil_rate', at(m), oilAt(m)) },
        { key: separator, data: sample(separator, undefined, 'water_rate', at(m), 160) },
        { key: rtu, data: sample(rtu, well, 'bottomhole_pressure', at(m), pressureAt(m)) },
      ]);
    await kafka.produce('scada.telemetry.validated', minutes(0, 30));
    const waiting = await until(async () => {
      const r = await row();
      return r && r.readings === 31 * 3 && r;
    }, 'the first 31 minutes judged');
    expect(waiting.state).toBe('running');
    // Minute 30: the window 0..30 still holds the slug.
    expect(waiting.waiting_for[0]).toBe('only 30 of 60 minutes');
    expect(waiting.waiting_for.some((w) => /^oil rate varied \d+\.\d % over the last 30 min, needs < 5 %$/.test(w))).toBe(true);
  }, 120_000);

  it('completes it once steady with the stabilised averages, and calc computes its IPR', async () => {
    const rest = Array.from({ length: 40 }, (_, i) => 31 + i).flatMap((m) => [
      { key: separator, data: sample(separator, undefined, 'oil_rate', at(m), oilAt(m)) },
      { key: separator, data: sample(separator, undefined, 'water_rate', at(m), 160) },
      { key: rtu, data: sample(rtu, well, 'bottomhole_pressure', at(m), pressureAt(m)) },
    ]);
    await kafka.produce('scada.telemetry.validated', rest);

    const [completed] = await kafka.readMatching('well-testing.test-completed', (m: TopicMessage) => m.key === well, 1, 60_000);
    const test = (JSON.parse(completed?.value ?? '{}') as { data: WellTestCompleted }).data;
    // Window 30..60: 16 even minutes (636, 1295) and 15 odd (644, 1305).
    expect(test).toMatchObject({
      testId,
      wellId: well,
      tenantId: tenant,
      timestamp: at(60),
      startedAt: at(0),
      stabilizationHours: 1,
      oilRateStbd: Math.round(((16 * 636 + 15 * 644) / 31) * 100) / 100,
      waterRateBbld: 160,
      flowingBottomholePressurePsia: Math.round(((16 * 1295 + 15 * 1305) / 31) * 100) / 100,
      reservoirPressurePsia: 2400,
      bubblePointPressurePsia: 1700,
    });
    const [ipr] = await kafka.readMatching(
      'well-testing.ipr-calculated',
      (m: TopicMessage) => (JSON.parse(m.value) as { data: IprCalculated }).data.testId === testId,
      1,
      60_000,
    );
    expect((JSON.parse(ipr?.value ?? '{}') as { data: IprCalculated }).data).toMatchObject({
      wellId: well,
      testOilRateStbd: test.oilRateStbd,
      testFlowingBottomholePressurePsia: test.flowingBottomholePressurePsia,
    });
    const stored = await until(async () => {
      const r = await row();
      return r?.published && r;
    }, 'the completion marked published');
    expect(stored).toMatchObject({ state: 'completed', waiting_for: [] });
  }, 120_000);
});
