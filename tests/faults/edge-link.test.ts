import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pollCounterAddress } from '../../edge-adapter/simulators/modbus-image.ts';
import { ModbusSimulator } from '../../edge-adapter/simulators/modbus-simulator.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { envPort } from '../../local-dev/services/process.ts';
import { projectTempDir } from '../support/edge-harness.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { freePort } from '../support/function-process.ts';
import { until } from '../support/kafka.ts';
import { LinkProxy } from '../support/link-proxy.ts';
import { OwnRedis } from '../support/own-redis.ts';
import { recordCase } from './journal.ts';
import { ownKafka } from './own-services.ts';
import { startFaultPipeline } from './pipeline.ts';

/**
 * The pad's link to the central cluster is cut while the edge adapter reads a Modbus RTU
 * (the simulator) and the pipeline runs; during the cut the adapter is restarted twice,
 * once with SIGTERM and once with SIGKILL; then the link is mended. The adapter reaches
 * the broker only through the link (a listener of its own, behind a proxy the test cuts),
 * the functions directly. Counted from the simulator's own poll counter: every read the
 * adapter made is a row, once, except a read in flight at the SIGKILL (never buffered).
 * FAULT_EDGE_CUT_SECONDS sets the cut (120 s by default; the 300 s for a long run).
 */
const services = inject('faults');
const cutMs = Number(process.env.FAULT_EDGE_CUT_SECONDS ?? '120') * 1000;
const base = envPort('FLOWLINE_FAULTS_KAFKA_PORT', 19292);
const link = { port: base + 18, advertisedPort: base + 19 };
const kafka = ownKafka('edge-link', 16, link);
const proxy = new LinkProxy(link.advertisedPort, link.port);
const dir = projectTempDir('faults-edge-link');
const simulator = new ModbusSimulator({ pad: new WellPad({ seed: 7 }), port: 0 });
let redis: OwnRedis;
const adapters: EdgeProcess[] = [];
beforeAll(async () => {
  redis = new OwnRedis(await freePort());
  await Promise.all([redis.start(), kafka.start(), proxy.restore(), simulator.start()]);
}, 300_000);
afterAll(async () => {
  for (const a of adapters) await a.kill();
  await proxy.cut();
  await simulator.stop();
  await redis.kill();
  await kafka.stop();
}, 120_000);

describe('edge link', () => {
  it(`cut for ${cutMs / 1000} s with two adapter restarts (one SIGKILL) during the cut`, { timeout: cutMs + 600_000 }, async () => {
    const pipeline = await startFaultPipeline({ kafkaBrokers: kafka.brokers, databaseUrl: services.databaseUrl, redisUrl: redis.url });
    const [rtu] = pipeline.devices as [string, string];
    const httpPort = await freePort();
    const configFile = join(dir, 'edge.yaml');
    writeFileSync(
      configFile,
      `# written by tests/faults/edge-link.test.ts
site: link-cut
stateDir: ${JSON.stringify(join(dir, 'state'))}
http: { host: 127.0.0.1, port: ${httpPort} }
kafka: { brokers: [127.0.0.1:${link.advertisedPort}] }
buffer: { path: buffer.sqlite, maxSamples: 1000000, whenFull: drop-oldest }
commands: { enabled: false }
devices:
  - id: ${rtu}
    protocol: modbus
    host: 127.0.0.1
    port: ${simulator.port}
    unitId: 1
    pollIntervalMs: 200
    timeoutMs: 5000
    wordOrder: little
    tags:
      - { id: poll-counter, table: input-register, address: ${pollCounterAddress}, type: uint32, wordOrder: big }
      - { id: edge_tubing_pressure, table: input-register, address: 0, type: float32 }
`,
    );
    const start = (name: string) => {
      const a = startEdgeProcess({ configFile, httpPort, name: `faults-edge-${pipeline.tenant}-${name}` });
      adapters.push(a);
      return a;
    };
    const sql = new pg.Client({ connectionString: pipeline.databaseUrl });
    await sql.connect();
    const counters = async () =>
      (
        await sql.query<{ v: number }>(
          `SELECT value AS v FROM telemetry WHERE device_id = $1 AND tag_id = 'poll-counter' AND quality = 192 ORDER BY value`,
          [rtu],
        )
      ).rows.map((r) => r.v);
    try {
      const first = start('first');
      await until(async () => ((await counters()).length >= 20 ? true : undefined), 'the adapter streaming into the pipeline', 120_000);

      await proxy.cut();
      const cutAt = Date.now();
      await first.healthWhen('the adapter to see the link gone', (h) => h.sink.state === 'unreachable', 120_000);
      await new Promise((resolve) => setTimeout(resolve, cutMs / 3));
      const firstRun = await first.stop(); // a clean restart: SIGTERM
      expect(firstRun.code).toBe(0);
      const second = start('second');
      await second.healthWhen('the second adapter reading', (h) => Object.values(h.devices).every((d) => d.state === 'connected'));
      await new Promise((resolve) => setTimeout(resolve, cutMs / 3));
      await second.kill(); // a crash: SIGKILL
      const third = start('third');
      const resumed = await third.healthWhen('the third adapter up, with the backlog', () => true);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + cutMs - Date.now())));
      const buffered = (await third.health())?.buffer.depth ?? 0;

      await proxy.restore();
      const backAt = Date.now();
      await third.healthWhen(
        'the backlog forwarded',
        (h) => h.sink.state === 'connected' && (h.buffer.oldestSampleAt === null || Date.parse(h.buffer.oldestSampleAt) >= backAt),
        300_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const thirdRun = await third.stop();
      expect(thirdRun.code).toBe(0);
      expect(thirdRun.summary?.dropped ?? 0).toBe(0);
      expect(firstRun.summary?.dropped ?? 0).toBe(0);

      // The simulator counts every read of its counter register: 1, 2, 3 … as read.
      const last = (await until(
        async () => {
          const c = await counters();
          const top = c.at(-1) ?? 0;
          return top > 0 && c.length >= top - 1 ? c : undefined;
        },
        'every read stored',
        240_000,
      ).catch(counters)) as number[];
      const recoveryMs = Date.now() - backAt;
      const top = last.at(-1) ?? 0;
      const distinct = new Set(last).size;
      const missing = Array.from({ length: top }, (_, i) => i + 1).filter((v) => !last.includes(v));
      const duplicates = last.length - distinct;
      recordCase({
        name: 'edge-link-cut',
        fault: `link to Kafka cut ${cutMs / 1000} s; adapter SIGTERMed, then SIGKILLed, during the cut`,
        sent: top,
        stored: distinct,
        lost: missing.length,
        absorbed: 0,
        duplicates,
        deadLetters: await pipeline.deadLetters(),
        recoveryMs,
        notes: `buffered at the end of the cut ${buffered} samples (${resumed.buffer.depth} when the third adapter started); counter reads missing: ${missing.join(', ') || 'none'} (a read in flight at the SIGKILL is never buffered)`,
      });
      expect(duplicates).toBe(0);
      // At most the one read in flight when the process vanished.
      expect(missing.length).toBeLessThanOrEqual(1);
      expect(await pipeline.deadLetters()).toEqual({});
    } finally {
      await sql.end();
      await pipeline.close();
    }
  });
});
