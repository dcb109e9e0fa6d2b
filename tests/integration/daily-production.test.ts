import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DailyProduction, TelemetryValidated, WellStatusChanged, WellTestCompleted } from '#contracts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage, until } from '../support/kafka.ts';
import { createTestTenant } from '../support/test-tenant.ts';

/**
 * daily-production on the kafka host, as deployed: real Kafka and PostgreSQL (and Redis for
 * its tick lock). A field reporting 06:00–06:00 America/New_York gets its report for
 * 7 March 2026, the day the clocks spring forward (23 hours), from validated meter readings,
 * status changes and well tests put on the topics; then the reading the edge held back
 * arrives late and a revised report, version 2, follows. The run has its own tenant,
 * field, devices and database.
 */
const { kafkaBrokers, redisUrl, databaseUrl } = inject('services');
const day = '2026-03-07';
const start = Date.parse('2026-03-07T11:00:00Z'); // 06:00 EST
const end = Date.parse('2026-03-08T10:00:00Z'); // 06:00 EDT, 23 h later
const h = (hours: number) => start + hours * 3_600_000;
const topic = 'production.daily-production';

let kafka: TestKafka;
let sql: pg.Client;
let fn: FunctionProcess;
let tenant: string;
let field: string;
let wells: [string, string];
let rtus: [string, string];
let separator: string;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  const run = await createTestTenant({ databaseUrl, prefix: 'production' });
  tenant = run.tenant;
  field = `f-${run.id}`;
  wells = [`w-${run.id}-1`, `w-${run.id}-2`];
  rtus = [run.devices[0], run.devices[1]];
  separator = `sep-${run.id}`;
  // The tenant's registry, with the field's own separator (its oil meter stands in for the sales meter).
  writeFileSync(
    join(run.configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenant}, name: Test }]
fields: [{ id: ${field}, name: Field, tenantId: ${tenant} }]
wells:
  - { id: ${wells[0]}, name: Well-1, fieldId: ${field} }
  - { id: ${wells[1]}, name: Well-2, fieldId: ${field} }
devices:
  - { id: ${rtus[0]}, wellId: ${wells[0]} }
  - { id: ${rtus[1]}, wellId: ${wells[1]} }
  - { id: ${separator}, fieldId: ${field} }
`,
  );
  writeFileSync(
    join(run.configDir, 'production-accounting.yaml'),
    `closeAfterMinutes: 0
# The day reported is a fixed date in the past: kept as long as the document allows.
keepReadingsDays: 3660
fields:
  - fieldId: ${field}
    timeZone: America/New_York
    contractHour: "06:00"
    wells:
      oil: { totalizer: { tagId: oil_total, rolloverAt: 1000000 }, rate: { tagId: oil_rate } }
    fiscal:
      oil: { rate: { tagId: oil_rate, deviceId: ${separator} } }
`,
  );
  sql = new pg.Client({ connectionString: run.databaseUrl });
  await sql.connect();
  const inputs = ['scada.telemetry.validated', 'production.well-status-changed', 'well-testing.test-completed'];
  await kafka.createTopics([...inputs, ...inputs.map((t) => `${t}.dlq`), topic], 3);
  fn = await startFunctionProcess({
    dir: join(repoRoot, 'functions', 'daily-production'),
    name: `daily-production-${run.id}`,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_URL: redisUrl,
      DATABASE_URL: run.databaseUrl,
      FLOWLINE_CONFIG_DIR: run.configDir,
    },
  });
  await fn.ready(90_000);
}, 180_000);

afterAll(async () => {
  await fn?.stop();
  await sql?.end();
  await kafka?.close();
});

const sample = (deviceId: string, wellId: string | undefined, tagId: string, at: number, value: number): TelemetryValidated => ({
  timestamp: at,
  deviceId,
  tagId,
  value,
  quality: 192,
  sourceProtocol: 'MODBUS',
  status: 'good',
  flags: [],
  tenantId: tenant,
  fieldId: field,
  ...(wellId ? { wellId } : {}),
  receivedAt: at,
});

const status = (
  wellId: string,
  since: number,
  s: WellStatusChanged['status'],
  reason?: WellStatusChanged['reason'],
): WellStatusChanged => ({
  wellId,
  tenantId: tenant,
  fieldId: field,
  status: s,
  ...(reason ? { reason } : {}),
  since,
  confirmedAt: since + 60_000,
  profile: 'esp-oil',
  values: {},
});

const wellTest = (wellId: string, oilRateStbd: number): WellTestCompleted => ({
  testId: `test-${wellId}`,
  wellId,
  tenantId: tenant,
  fieldId: field,
  timestamp: h(-240),
  oilRateStbd,
  flowingBottomholePressurePsia: 1100,
  reservoirPressurePsia: 2400,
  bubblePointPressurePsia: 1700,
});

/** Well-1's totalizer: 40 bbl an hour on a register that wraps at 1 000 000, from 999 500 at 06:00. */
const totalizerAt = (hours: number) => (999_500 + 40 * hours) % 1_000_000;

const reportsOfDay = async (count: number) =>
  (
    await kafka.readMatching(
      topic,
      (m: TopicMessage) => m.key === field && (JSON.parse(m.value) as { data: DailyProduction }).data.day === day,
      count,
      60_000,
    )
  ).map((m) => (JSON.parse(m.value) as { data: DailyProduction; id: string }).data);

describe('daily-production on the kafka host', () => {
  it('reports the 23-hour day: totalizer across its rollover, rate integrated, uptime, allocation by tests', async () => {
    await kafka.produce('production.well-status-changed', [
      { key: wells[0], data: status(wells[0], h(-48), 'producing') },
      { key: wells[1], data: status(wells[1], h(-48), 'producing') },
      { key: wells[1], data: status(wells[1], h(5), 'down', 'no-flow') },
      { key: wells[1], data: status(wells[1], h(7), 'producing') },
    ]);
    await kafka.produce('well-testing.test-completed', [
      { key: wells[0], data: wellTest(wells[0], 960) },
      { key: wells[1], data: wellTest(wells[1], 600) },
    ]);
    // Hourly totalizer readings 06:00 to 04:00 EDT; the 05:00 one (23 h in) the edge still holds.
    await kafka.produce(
      'scada.telemetry.validated',
      Array.from({ length: 23 }, (_, k) => ({ key: rtus[0], data: sample(rtus[0], wells[0], 'oil_total', h(k), totalizerAt(k)) })),
    );
    // Well-2 and the separator report rates every 10 minutes: 600 and 1380 bbl/d.
    const rates = [];
    for (let minutes = -10; minutes <= 23 * 60 + 10; minutes += 10) {
      rates.push({ key: rtus[1], data: sample(rtus[1], wells[1], 'oil_rate', h(minutes / 60), 600) });
      rates.push({ key: separator, data: sample(separator, undefined, 'oil_rate', h(minutes / 60), 1380) });
    }
    await kafka.produce('scada.telemetry.validated', rates);

    const [report] = await reportsOfDay(1);
    expect(report).toMatchObject({
      tenantId: tenant,
      fieldId: field,
      version: 1,
      start,
      end,
      hours: 23,
      utcOffsetAtStart: '-05:00',
      utcOffsetAtEnd: '-04:00',
    });
    const [one, two] = report?.wells ?? [];
    // 22 hours of 40 bbl across the wrap at 1 000 000; the last hour uncovered until its reading comes.
    expect(one?.measured.oil).toEqual({ method: 'totalizer', volume: 880, samples: 23, uncoveredHours: 1, rollovers: 1, resets: 0 });
    expect(one).toMatchObject({ hoursInStatus: { producing: 23 }, uptimeHours: 23, theoretical: { oil: 920 } });
    // 600 bbl/d for 23 h; 2 h down: 21 h up, 600 × 21/24 = 525 theoretical.
    expect(two?.measured.oil).toMatchObject({ method: 'rate', volume: 575 });
    expect(two).toMatchObject({ hoursInStatus: { producing: 21, down: 2 }, uptimeHours: 21, theoretical: { oil: 525 } });
    // Fiscal 1380 × 23/24 = 1322.5 over Σ theoretical 1445: factor 0.915225; 842.007 + 480.493 = 1322.5.
    expect(report?.fiscal.oil).toMatchObject({ method: 'rate', volume: 1322.5 });
    expect(report?.allocation.oil).toEqual({ allocated: true, fiscal: 1322.5, theoreticalTotal: 1445, factor: 0.915225 });
    expect([one?.allocated.oil, two?.allocated.oil]).toEqual([842.007, 480.493]);
  }, 120_000);

  it('publishes version 2 when the held-back reading arrives, and keeps version 1', async () => {
    await kafka.produce('scada.telemetry.validated', [
      { key: rtus[0], data: sample(rtus[0], wells[0], 'oil_total', h(23), totalizerAt(23)) },
    ]);
    const versions = await reportsOfDay(2);
    expect(versions.map((r) => r.version)).toEqual([1, 2]);
    expect(versions[1]?.wells[0]?.measured.oil).toMatchObject({ volume: 920, uncoveredHours: 0 });
    expect(versions[1]?.revises).toEqual({ version: 1, changed: [`${wells[0]} oil measured 880 → 920`] });
    // Both versions stored, both marked published once the broker took them (the outbox is empty).
    const rows = await until(async () => {
      const { rows } = await sql.query<{ version: number; published: boolean }>(
        'SELECT version, published_at IS NOT NULL AS published FROM daily_production_reports WHERE field_id = $1 AND day = $2 ORDER BY version',
        [field, day],
      );
      return rows.every((r) => r.published) && rows.length === 2 && rows;
    }, 'both versions marked published');
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
  }, 120_000);
});
