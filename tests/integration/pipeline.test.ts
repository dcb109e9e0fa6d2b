import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alarm, TelemetryRaw } from '#contracts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { deadLetterHeader } from '../../runtime/dead-letter.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';
import { createTestTenant } from '../support/test-tenant.ts';

/**
 * validate → alarm → persist on the kafka host, as deployed: real Kafka, PostgreSQL
 * and Redis. Raw events go in (valid, invalid, exact duplicates, redeliveries); out
 * come exactly the valid samples as rows, the invalid ones in the dead-letter topic
 * with their reasons, and the expected alarms active in Redis and in history.
 * The run gets its own tenant, devices and database so it shares the broker safely.
 */
const { kafkaBrokers, redisUrl, databaseUrl } = inject('services');
let id: string;
let tenant: string;
let devices: readonly string[];
let kafka: TestKafka;
let redis: Redis;
let sql: pg.Client;
let functions: FunctionProcess;

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
  const run = await createTestTenant({ databaseUrl, prefix: 'pipeline' });
  ({ id, tenant, devices } = run);
  sql = new pg.Client({ connectionString: run.databaseUrl });
  await sql.connect();
  await kafka.createTopics(
    ['scada.telemetry.raw', 'scada.telemetry.raw.dlq', 'scada.telemetry.validated', 'scada.alarms', 'scada.alarm-actions'],
    3,
  );
  functions = await startFunctionProcess({
    dir: ['functions/validate', 'functions/alarm', 'functions/persist'].map((d) => join(repoRoot, d)),
    name: `pipeline-${id}`,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_URL: redisUrl,
      DATABASE_URL: run.databaseUrl,
      FLOWLINE_CONFIG_DIR: run.configDir,
    },
  });
  await functions.ready(90_000);
}, 180_000);

afterAll(async () => {
  await functions?.stop();
  await sql?.end();
  redis?.disconnect();
  await kafka?.close();
});

describe('pipeline on the kafka host: validate → alarm → persist', () => {
  it('stores exactly the valid samples, dead-letters the invalid with reasons, raises the expected alarms', async () => {
    const t0 = Date.now();
    const sample = (device: string, i: number, value: number, extra: Partial<TelemetryRaw> = {}): TelemetryRaw => ({
      timestamp: t0 + i * 1000,
      deviceId: device,
      tagId: 'tubing_pressure',
      value,
      quality: 192,
      sourceProtocol: 'MODBUS',
      ...extra,
    });
    // 20 samples per device; device 2 climbs past H (1200) and then HH (1450).
    const valid = devices.flatMap((device, d) =>
      Array.from({ length: 20 }, (_, i) => sample(device, i, d === 1 && i >= 15 ? (i >= 18 ? 1500 : 1300) : 850 + i)),
    );
    const badQuality = sample(devices[0] as string, 30, 851, { quality: 0 });
    const items = [...valid, badQuality].map((data) => ({ key: data.deviceId, data }));
    const ids = await kafka.produce('scada.telemetry.raw', items);

    // Exact duplicates from another source (new event ids), and redeliveries of the same events.
    await kafka.produce(
      'scada.telemetry.raw',
      valid.slice(0, 4).map((data) => ({ key: data.deviceId, data })),
    );
    await kafka.produce(
      'scada.telemetry.raw',
      valid.slice(4, 6).map((data, i) => ({ key: data.deviceId, data, id: ids[4 + i] as string })),
    );
    // Invalid: a value that is not a number, a device no tenant owns, bytes that are not JSON.
    await kafka.produce('scada.telemetry.raw', [
      { key: devices[0] as string, data: { ...sample(devices[0] as string, 40, 0), value: 'high' } },
      { key: `rtu-${id}-9`, data: sample(`rtu-${id}-9`, 41, 900) },
    ]);
    await kafka.producer.send({ topic: 'scada.telemetry.raw', messages: [{ key: devices[1] as string, value: '{"broken' }] });

    const rows = await until(
      async () => {
        // Only this run's tenant: persist's group also catches up on what other runs left on
        // the shared topic, and stores it here too.
        const { rows } = await sql.query<{ n: number; bad: number }>(
          "SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'bad')::int AS bad FROM telemetry WHERE tenant_id = $1",
          [tenant],
        );
        return rows[0]?.n === 41 ? rows[0] : undefined;
      },
      '41 telemetry rows',
      60_000,
    );
    expect(rows).toEqual({ n: 41, bad: 1 });
    // Let any late duplicate arrive; the count must not move.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sql.query('SELECT device_id, tag_id, ts FROM telemetry GROUP BY 1, 2, 3 HAVING count(*) > 1')).rowCount).toBe(0);
    expect(Number((await sql.query('SELECT count(*) FROM telemetry WHERE tenant_id = $1', [tenant])).rows[0]?.count)).toBe(41);

    const ours = new Set([devices[0], devices[1], `rtu-${id}-9`]);
    const all = await kafka.readMatching('scada.telemetry.raw.dlq', (m) => ours.has(m.key ?? ''), 3, 60_000);
    const reasons = all.map((m) => `${m.headers[deadLetterHeader.cause]}: ${m.headers[deadLetterHeader.reason]}`).sort();
    expect(reasons).toEqual([
      `invalid: data does not match the scada.telemetry.raw schema: value: Invalid input: expected number, received string`,
      `permanent: PermanentError: device "rtu-${id}-9" is not in the asset registry: add it to assets.yaml (or the flowline_config table)`,
      expect.stringMatching(/^undecodable: not JSON: /),
    ]);

    const active = await until(
      async () => {
        const members = await redis.zrevrange(`alarms:active:${tenant}`, 0, -1);
        return members.length === 2 ? members : undefined;
      },
      'H and HH active in Redis',
      30_000,
    );
    expect(active).toEqual([`${devices[1]}.tubing_pressure.HH`, `${devices[1]}.tubing_pressure.H`]);
    const history = await until(
      async () => {
        const { rows } = await sql.query<Pick<Alarm, 'alarmId' | 'transition' | 'state'> & { alarm_id: string }>(
          "SELECT alarm_id, transition, state FROM alarm_events WHERE tenant_id = $1 AND transition = 'raised' ORDER BY alarm_id",
          [tenant],
        );
        return rows.length === 2 ? rows : undefined;
      },
      'the raised alarms in history',
      30_000,
    );
    expect(history.map((r) => `${r.alarm_id} ${r.transition} ${r.state}`)).toEqual([
      `${devices[1]}.tubing_pressure.H raised UNACK_ACTIVE`,
      `${devices[1]}.tubing_pressure.HH raised UNACK_ACTIVE`,
    ]);
  });
});
