import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { minuteOf } from '../../contracts/compacted-minute.ts';
import { Quality } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { kafkaSink } from '../../edge-adapter/sinks/kafka-sink.ts';
import { Forwarder } from '../../edge-adapter/store-and-forward/forwarder.ts';
import { openSampleJournal, type SampleJournal } from '../../edge-adapter/store-and-forward/sample-journal.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { projectTempDir, testLog } from '../support/edge-harness.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';
import { createTestTenant } from '../support/test-tenant.ts';

/**
 * An outage long enough to overflow the edge buffer's bound many times, then the link back:
 * the buffer (a real file) → real Kafka → validate → persist → PostgreSQL, as deployed.
 * Every minute of every tag must be stored, as raw rows or as compacted pieces whose counts
 * add up to exactly the samples read in it, and every sample still raw in the buffer when
 * the link came back must be a raw row.
 *
 * The outage is the time the forwarder is not running: the samples carry stamps from 30
 * minutes back, so thirty minutes of a pad go through in seconds. The forwarder's own
 * handling of a sink that fails is tested in edge-adapter/store-and-forward/forwarder.test.ts.
 */
const { kafkaBrokers, databaseUrl } = inject('services');
const dir = projectTempDir('edge-compaction');
const TAGS = ['tubing_pressure', 'casing_pressure', 'flowline_temperature'] as const;
const MINUTES = 30;
const EVERY_MS = 2_000; // 30 samples a minute per tag
let kafka: TestKafka;
let sql: pg.Client;
let functions: FunctionProcess;
let journal: SampleJournal;
let forwarder: Forwarder | undefined;
let tenant: string;
let devices: readonly string[];

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  const run = await createTestTenant({ databaseUrl, prefix: 'edge_compaction' });
  ({ tenant, devices } = run);
  sql = new pg.Client({ connectionString: run.databaseUrl });
  await sql.connect();
  await kafka.createTopics(
    ['scada.telemetry.compacted', 'scada.telemetry.compacted.validated', 'scada.telemetry.raw', 'scada.telemetry.validated'],
    3,
  );
  functions = await startFunctionProcess({
    dir: ['functions/validate', 'functions/persist'].map((d) => join(repoRoot, d)),
    name: `edge-compaction-${run.id}`,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_URL: inject('services').redisUrl,
      DATABASE_URL: run.databaseUrl,
      FLOWLINE_CONFIG_DIR: run.configDir,
    },
  });
  await functions.ready(90_000);
  journal = openSampleJournal({
    path: join(dir, 'buffer.sqlite'),
    maxSamples: 1000,
    whenFull: 'compact',
    maxMinutes: 100_000,
    sync: 'normal',
  });
}, 180_000);

afterAll(async () => {
  await forwarder?.stop(0);
  journal?.close();
  await functions?.stop();
  await sql?.end();
  await kafka?.close();
});

describe('edge buffer compaction through Kafka to PostgreSQL', () => {
  it('stores every minute of every tag, and every sample that fit raw, counted exactly', { timeout: 240_000 }, async () => {
    const start = minuteOf(Date.now()) - (MINUTES + 2) * 60_000;
    const read: TelemetryRaw[] = [];
    // One poll cycle: every tag of both devices at one instant, as a Modbus poll writes it.
    for (let t = start; t < start + MINUTES * 60_000; t += EVERY_MS) {
      const cycle = devices.flatMap((deviceId, d) =>
        TAGS.map((tagId, k) => ({
          timestamp: t,
          deviceId,
          tagId,
          value: 800 + d * 10 + k + ((t - start) / EVERY_MS) * 0.01,
          quality: (t - start) % 97_000 === 0 ? Quality.BAD_COMM_FAILURE : Quality.GOOD,
          sourceProtocol: 'MODBUS' as const,
        })),
      );
      journal.appendSamples(cycle);
      read.push(...cycle);
    }
    const total = devices.length * TAGS.length * MINUTES * (60_000 / EVERY_MS);
    expect(read).toHaveLength(total);
    // The bound overflowed many times over; nothing was lost.
    expect(journal.dropped).toBe(0);
    expect(journal.compacted).toBeGreaterThan(3 * 1000);
    expect(journal.compacted + journal.depth).toBe(total);
    const raw = read.slice(journal.compacted);
    const compacted = journal.compacted;

    forwarder = new Forwarder({
      journal,
      sink: kafkaSink({ kafka: kafka.kafka, compression: 'gzip', log: testLog }),
      log: testLog,
      telemetryTopic: 'scada.telemetry.raw',
      compactedTopic: 'scada.telemetry.compacted',
      source: 'flowline/edge/compaction-test',
      maxBatch: 500,
      lingerMs: 0,
    });
    forwarder.start();
    await until(async () => (journal.depth === 0 && journal.pendingMinutes === 0) || undefined, 'the buffer to drain', 60_000);

    const stored = await until(
      async () => {
        const { rows } = await sql.query<{ raw: number; compacted: number }>(
          `SELECT (SELECT count(*)::int FROM telemetry WHERE tenant_id = $1) AS raw,
                  (SELECT coalesce(sum(count), 0)::int FROM telemetry_compacted WHERE tenant_id = $1) AS compacted`,
          [tenant],
        );
        const row = rows[0];
        return row && row.raw === raw.length && row.compacted === compacted ? row : undefined;
      },
      `${raw.length} raw rows and ${compacted} compacted samples in PostgreSQL`,
      90_000,
    );
    expect(stored).toEqual({ raw: raw.length, compacted });

    // Every raw row is one of the samples that fit, and each of those is a row.
    const { rows: rawRows } = await sql.query<{ device_id: string; tag_id: string; ms: string }>(
      `SELECT device_id, tag_id, (extract(epoch FROM ts) * 1000)::bigint AS ms FROM telemetry WHERE tenant_id = $1`,
      [tenant],
    );
    const key = (deviceId: string, tagId: string, ms: number) => `${deviceId}|${tagId}|${ms}`;
    expect(new Set(rawRows.map((r) => key(r.device_id, r.tag_id, Number(r.ms))))).toEqual(
      new Set(raw.map((s) => key(s.deviceId, s.tagId, s.timestamp))),
    );

    // Every minute of every tag: raw rows and compacted counts add up to the 30 samples read in it.
    const { rows: minutes } = await sql.query<{ device_id: string; tag_id: string; ms: string; n: number; pieces: number }>(
      `SELECT device_id, tag_id, (extract(epoch FROM bucket) * 1000)::bigint AS ms, sum(n)::int AS n, sum(pieces)::int AS pieces FROM (
         SELECT device_id, tag_id, date_bin('1 minute', ts, TIMESTAMPTZ '2000-01-01') AS bucket, count(*) AS n, 0 AS pieces
           FROM telemetry WHERE tenant_id = $1 GROUP BY 1, 2, 3
         UNION ALL
         SELECT device_id, tag_id, bucket, sum(count), count(*) FROM telemetry_compacted WHERE tenant_id = $1 GROUP BY 1, 2, 3) m
       GROUP BY 1, 2, 3`,
      [tenant],
    );
    const expected = devices.flatMap((d) => TAGS.flatMap((t) => Array.from({ length: MINUTES }, (_, m) => key(d, t, start + m * 60_000))));
    expect(minutes.map((r) => key(r.device_id, r.tag_id, Number(r.ms))).sort()).toEqual(expected.sort());
    expect(minutes.every((r) => r.n === 60_000 / EVERY_MS)).toBe(true);

    // The rollup says which minutes came compacted: exactly those with pieces.
    const { rows: marks } = await sql.query<{ device_id: string; tag_id: string; ms: string; compacted: boolean }>(
      `SELECT device_id, tag_id, (extract(epoch FROM bucket) * 1000)::bigint AS ms, compacted FROM telemetry_1m WHERE tenant_id = $1`,
      [tenant],
    );
    const withPieces = new Set(minutes.filter((r) => r.pieces > 0).map((r) => key(r.device_id, r.tag_id, Number(r.ms))));
    expect(withPieces.size).toBeGreaterThan(devices.length * TAGS.length * 5);
    expect(new Set(marks.filter((r) => r.compacted).map((r) => key(r.device_id, r.tag_id, Number(r.ms))))).toEqual(withPieces);
  });
});
