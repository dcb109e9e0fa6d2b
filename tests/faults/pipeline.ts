import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TelemetryRaw } from '#contracts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage } from '../support/kafka.ts';

const deadLetterTopics = ['scada.telemetry.raw.dlq', 'scada.telemetry.validated.dlq', 'scada.alarms.dlq'];

/**
 * validate → alarm → persist on the kafka host, as deployed, for one fault case: its own
 * tenant, devices and database, numbered samples produced at a steady pace, and exact
 * counts of what came out (rows, dead letters, redeliveries absorbed).
 */
export interface FaultPipeline {
  readonly tenant: string;
  readonly devices: readonly string[];
  readonly proc: FunctionProcess;
  /** Produces numbered samples (2 devices, one tag) every 100 ms until stopped; resolves with how many were acknowledged. */
  produceSteadily(): { sent(): number; stop(): Promise<number> };
  stored(): Promise<number>;
  /** Rows stored more than once: telemetry by (device, tag, time), alarm transitions by (alarm, transition, time). */
  duplicates(): Promise<number>;
  /** Dead letters written since the pipeline started, by `flowline-error-cause`. */
  deadLetters(): Promise<Record<string, number>>;
  /** The `flowline-error` reason of each of those dead letters. */
  deadLetterReasons(): Promise<string[]>;
  /** Rows persist was offered again and skipped (idempotency), from its metrics. */
  absorbed(): Promise<number>;
  readyz(): Promise<number>;
  close(): Promise<void>;
}

export async function startFaultPipeline(options: { kafkaBrokers: string; databaseUrl: string; redisUrl: string }): Promise<FaultPipeline> {
  const id = randomUUID().slice(0, 8);
  const tenant = `t-${id}`;
  const devices = [`rtu-${id}-1`, `rtu-${id}-2`];
  const database = `faults_${id}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(options.databaseUrl);
  url.pathname = `/${database}`;

  const configDir = join(stateDir, 'tmp', `faults-${id}`);
  mkdirSync(configDir, { recursive: true });
  cpSync(join(repoRoot, 'config', 'examples', 'tag-rules.yaml'), join(configDir, 'tag-rules.yaml'));
  writeFileSync(
    join(configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenant}, name: Faults }]
fields: [{ id: f-${id}, name: Field, tenantId: ${tenant} }]
wells:
  - { id: w-${id}-1, name: Well-1, fieldId: f-${id} }
  - { id: w-${id}-2, name: Well-2, fieldId: f-${id} }
devices:
  - { id: ${devices[0]}, wellId: w-${id}-1 }
  - { id: ${devices[1]}, wellId: w-${id}-2 }
`,
  );
  writeFileSync(
    join(configDir, 'alarm-rules.yaml'),
    'rules:\n  - tagId: tubing_pressure\n    limits: { HH: 1450, H: 1200 }\n    deadband: 25\n',
  );

  const kafka: TestKafka = await connectTestKafka(options.kafkaBrokers);
  const highWatermarks = async () => {
    const out = new Map<string, number>();
    const existing = new Set(await kafka.admin.listTopics());
    for (const topic of deadLetterTopics.filter((t) => existing.has(t))) {
      const offsets = await kafka.admin.fetchTopicOffsets(topic);
      for (const p of offsets) out.set(`${topic}/${p.partition}`, Number(p.high));
    }
    return out;
  };
  const before = await highWatermarks();

  const proc = await startFunctionProcess({
    dir: ['functions/validate', 'functions/alarm', 'functions/persist'].map((d) => join(repoRoot, d)),
    name: `faults-${id}`,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: options.kafkaBrokers,
      REDIS_URL: options.redisUrl,
      DATABASE_URL: url.toString(),
      FLOWLINE_CONFIG_DIR: configDir,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    },
  });
  await proc.ready(120_000);
  // A client per query: the case stops the server under us.
  const query = async <R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };

  /** The dead letters written since this pipeline started. */
  const freshLetters = async () => {
    const after = await highWatermarks();
    const out: { topic: string; letter: TopicMessage }[] = [];
    for (const topic of deadLetterTopics) {
      const fresh = [...after].filter(([key]) => key.startsWith(`${topic}/`)).reduce((n, [key, h]) => n + h - (before.get(key) ?? 0), 0);
      if (fresh === 0) continue;
      const letters = await kafka.readMatching(topic, (m) => m.offset >= (before.get(`${topic}/${m.partition}`) ?? 0), fresh);
      for (const letter of letters) out.push({ topic, letter });
    }
    return out;
  };

  const t0 = Date.now();
  let seq = 0;
  return {
    tenant,
    devices,
    proc,
    produceSteadily() {
      let running = true;
      let sent = 0;
      const loop = (async () => {
        while (running) {
          const samples: TelemetryRaw[] = devices.map((deviceId) => ({
            timestamp: t0 + seq * 100,
            deviceId,
            tagId: 'tubing_pressure',
            value: 850 + (seq % 50),
            quality: 192,
            sourceProtocol: 'MODBUS',
          }));
          seq++;
          await kafka.produce(
            'scada.telemetry.raw',
            samples.map((data) => ({ key: data.deviceId, data })),
          );
          sent += samples.length;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      return {
        sent: () => sent,
        async stop() {
          running = false;
          await loop;
          return sent;
        },
      };
    },
    async stored() {
      const rows = await query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry WHERE tenant_id = $1', [tenant]).catch(() => [
        { n: -1 },
      ]);
      return rows[0]?.n ?? -1;
    },
    async duplicates() {
      const [rows] = await query<{ telemetry: number; alarms: number }>(
        `SELECT (SELECT count(*) - count(DISTINCT (device_id, tag_id, ts)) FROM telemetry WHERE tenant_id = $1)::int AS telemetry,
                (SELECT count(*) - count(DISTINCT (alarm_id, transition, ts)) FROM alarm_events WHERE tenant_id = $1)::int AS alarms`,
        [tenant],
      );
      return (rows?.telemetry ?? 0) + (rows?.alarms ?? 0);
    },
    async deadLetters() {
      const out: Record<string, number> = {};
      for (const { topic, letter } of await freshLetters()) {
        const reason = `${topic.replace(/^scada\./, '')}: ${letter.headers['flowline-error-cause'] ?? 'no reason (sidecar)'}`;
        out[reason] = (out[reason] ?? 0) + 1;
      }
      return out;
    },
    async deadLetterReasons() {
      return (await freshLetters()).map(({ letter }) => letter.headers['flowline-error'] ?? '');
    },
    async absorbed() {
      const text = await (await fetch(`http://127.0.0.1:${proc.port}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) => l.startsWith('flowline_fn_persist_rows_total') && l.includes('table="telemetry"') && l.includes('result="already-stored"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
    async readyz() {
      return (await fetch(`http://127.0.0.1:${proc.port}/readyz`)).status;
    },
    async close() {
      await proc.stop();
      await kafka.close();
    },
  };
}
