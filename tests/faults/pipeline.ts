import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import type { TelemetryRaw } from '#contracts';
import { type Daprd, startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage, until } from '../support/kafka.ts';
import { createTestTenant } from '../support/test-tenant.ts';
import { resetThatExplains, STEP_MS, type Transition, waveTransitions, waveValue } from './alarm-wave.ts';
import { recordCase } from './journal.ts';

/** Every topic validate, alarm and persist subscribe to (their manifests), and so every dead-letter topic they write. */
export const subscribedTopics = [
  'scada.telemetry.raw',
  'scada.telemetry.validated',
  'scada.alarm-actions',
  'scada.alarms',
  'system.audit-log',
  'well-testing.ipr-calculated',
  'drilling.calculations',
  'production.calculations',
  'production.well-status-changed',
] as const;
const deadLetterTopics = subscribedTopics.map((t) => `${t}.dlq`);
export const functionNames = ['validate', 'alarm', 'persist'] as const;
export type FunctionName = (typeof functionNames)[number];

/**
 * validate → alarm → persist as deployed: each function its own process on the kafka host
 * (or persist on the dapr host, beside its own daprd), for one fault case: its own tenant,
 * devices and database, numbered samples, and exact counts of what came out (rows, alarm
 * transitions, dead letters, redeliveries absorbed).
 */
export interface FaultPipeline {
  readonly tenant: string;
  readonly devices: readonly string[];
  /** The case's own database. */
  readonly databaseUrl: string;
  readonly processes: Partial<Record<FunctionName, FunctionProcess>>;
  /** Starts a function (again, after a kill); resolves once it is ready. */
  start(name: FunctionName): Promise<void>;
  /** SIGKILL a function's process. */
  kill(name: FunctionName): Promise<void>;
  /** SIGKILL the sidecar of a function on the dapr host, and start a new one. */
  killSidecar(name: FunctionName): Promise<void>;
  restartSidecar(name: FunctionName): Promise<void>;
  /**
   * Produces numbered samples (2 devices, one tag) every 100 ms until stopped. A batch the
   * broker refuses is sent again with the same event ids until acknowledged; only
   * acknowledged samples count as sent.
   */
  produceSteadily(): Producing;
  /** Produces given samples once (acknowledged, or it throws). */
  produce(samples: TelemetryRaw[]): Promise<void>;
  /** Rows stored of one tag (the wave's, tubing_pressure, unless told). */
  stored(tagId?: string): Promise<number>;
  quarantined(): Promise<number>;
  /** H transitions (raised, cleared) stored in alarm_events. */
  storedAlarms(): Promise<number>;
  /** The H transitions the acknowledged samples call for, worked out from the wave. */
  expectedAlarms(): number;
  /**
   * When the alarm state was lost once (Redis back empty): the transitions the wave calls for
   * with each device's state reset at the one step that explains exactly what was stored (a
   * re-raise, or a clear that never comes); the unreset count when no single step does.
   */
  alarmsAfterStateLoss(): Promise<{ expected: number; explanation: string }>;
  /** Rows stored more than once: telemetry by (device, tag, time), alarm transitions by (alarm, transition, time). */
  duplicates(): Promise<number>;
  /** Dead letters written since the pipeline started, by topic and `flowline-error-cause`. */
  deadLetters(): Promise<Record<string, number>>;
  /** The `flowline-error` reason of each of those dead letters. */
  deadLetterReasons(): Promise<string[]>;
  /** Rows persist was offered again and skipped (idempotency), from its metrics (since its last start). */
  absorbed(): Promise<number>;
  /** 503 when any function is not ready (or not running), else 200. */
  readyz(): Promise<number>;
  close(): Promise<void>;
}

export interface Producing {
  sent(): number;
  /** Produces `steps` steps at once (2 samples each), as fast as the broker takes them: a function is then mid-batch. */
  burst(steps: number): Promise<void>;
  stop(): Promise<number>;
}

export async function startFaultPipeline(options: {
  kafkaBrokers: string;
  databaseUrl: string;
  redisUrl: string;
  /** The functions to start now (default all); the others wait for `start`. */
  functions?: readonly FunctionName[];
  /** Functions on the dapr host, each beside a daprd of its own. */
  dapr?: readonly FunctionName[];
  daprRedisUrl?: string;
}): Promise<FaultPipeline> {
  const run = await createTestTenant({ databaseUrl: options.databaseUrl, prefix: 'faults' });
  const { tenant, devices } = run;
  const kafka: TestKafka = await connectTestKafka(options.kafkaBrokers);
  const highWatermarks = () =>
    // A topic created a moment ago may have no leader yet (and a broker may just have been killed).
    until(
      async () => {
        const out = new Map<string, number>();
        try {
          const existing = new Set(await kafka.admin.listTopics());
          for (const topic of deadLetterTopics.filter((t) => existing.has(t))) {
            const offsets = await kafka.admin.fetchTopicOffsets(topic);
            for (const p of offsets) out.set(`${topic}/${p.partition}`, Number(p.high));
          }
          return out;
        } catch (error) {
          if ((error as { retriable?: boolean }).retriable) return undefined;
          throw error;
        }
      },
      "the dead-letter topics' offsets",
      60_000,
    );
  const before = await highWatermarks();

  const processes: Partial<Record<FunctionName, FunctionProcess>> = {};
  const sidecars: Partial<Record<FunctionName, { daprd?: Daprd; appPort: number; httpPort: number; grpcPort: number }>> = {};
  const onDapr = new Set(options.dapr ?? []);
  const startSidecar = async (name: FunctionName) => {
    const ports = sidecars[name];
    if (!ports) throw new Error(`${name} is not on the dapr host`);
    ports.daprd = await startDaprd({
      appId: name,
      appPort: ports.appPort,
      httpPort: ports.httpPort,
      grpcPort: ports.grpcPort,
      resourcesPath: join(repoRoot, 'components'),
      env: {
        KAFKA_BROKERS: options.kafkaBrokers,
        REDIS_HOST: new URL(options.daprRedisUrl ?? options.redisUrl).host,
        REDIS_PASSWORD: '',
      },
    });
  };
  const start = async (name: FunctionName) => {
    let env: Record<string, string> = {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: options.kafkaBrokers,
      REDIS_URL: options.redisUrl,
      DATABASE_URL: run.databaseUrl,
      FLOWLINE_CONFIG_DIR: run.configDir,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    };
    if (onDapr.has(name)) {
      sidecars[name] ??= { appPort: await freePort(), httpPort: await freePort(), grpcPort: await freePort() };
      env = { ...env, FLOWLINE_HOST: 'dapr', DAPR_HTTP_PORT: String(sidecars[name].httpPort) };
    }
    const proc = await startFunctionProcess({
      dir: join(repoRoot, 'functions', name),
      name: `faults-${run.id}-${name}`,
      env,
      ...(sidecars[name] ? { port: sidecars[name].appPort } : {}),
    });
    processes[name] = proc;
    if (onDapr.has(name) && !sidecars[name]?.daprd) await startSidecar(name);
    await proc.ready(120_000);
  };
  const started = await Promise.allSettled((options.functions ?? functionNames).map(start));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    // Left running, a function would join its group on the next case's broker and take its partitions.
    await Promise.all(Object.values(processes).map((p) => p.kill()));
    await Promise.all(Object.values(sidecars).map((s) => s?.daprd?.stop()));
    await kafka.close();
    throw failed.reason;
  }

  // A client per query: the case stops the server under us.
  const query = async <R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> => {
    const client = new pg.Client({ connectionString: run.databaseUrl });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };
  const count = async (text: string, params: unknown[] = []) => {
    const rows = await query<{ n: number }>(text, [tenant, ...params]).catch(() => [{ n: -1 }]);
    return rows[0]?.n ?? -1;
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
  /** The highest step acknowledged; every step below it was acknowledged too (one producer, in order). */
  let acknowledgedSteps = 0;
  const step = (s: number): TelemetryRaw[] =>
    devices.map((deviceId) => ({
      timestamp: t0 + s * STEP_MS,
      deviceId,
      tagId: 'tubing_pressure',
      value: waveValue(s),
      quality: 192,
      sourceProtocol: 'MODBUS',
    }));
  /** Sends steps [from, to) until acknowledged, under ids derived from the step so a resend is the same event. */
  const sendSteps = async (from: number, to: number, stillWanted: () => boolean) => {
    const items = [];
    for (let s = from; s < to; s++) {
      for (const [d, data] of step(s).entries()) items.push({ key: data.deviceId, data, id: `${tenant}-${s}-${d}` });
    }
    for (;;) {
      try {
        await kafka.produce('scada.telemetry.raw', items);
        acknowledgedSteps = to;
        return;
      } catch (error) {
        if (!stillWanted()) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  return {
    tenant,
    devices,
    databaseUrl: run.databaseUrl,
    processes,
    start,
    async kill(name) {
      await processes[name]?.kill();
    },
    async killSidecar(name) {
      const daprd = sidecars[name]?.daprd;
      if (!daprd) throw new Error(`${name} has no sidecar running`);
      const gone = new Promise((resolve) => daprd.process.once('exit', resolve));
      daprd.process.kill('SIGKILL');
      await gone;
      (sidecars[name] as { daprd?: Daprd }).daprd = undefined;
    },
    async restartSidecar(name) {
      await startSidecar(name);
    },
    produceSteadily() {
      let running = true;
      let queue = Promise.resolve();
      const enqueue = (steps: number) => {
        const next = queue.then(async () => {
          const from = seq;
          seq += steps;
          await sendSteps(from, seq, () => running);
        });
        queue = next.catch(() => {});
        return next;
      };
      const loop = (async () => {
        while (running) {
          await enqueue(1).catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, STEP_MS));
        }
      })();
      return {
        sent: () => acknowledgedSteps * devices.length,
        burst: (steps) => enqueue(steps),
        async stop() {
          running = false;
          await loop;
          await queue;
          return acknowledgedSteps * devices.length;
        },
      };
    },
    async produce(samples) {
      await kafka.produce(
        'scada.telemetry.raw',
        samples.map((data) => ({ key: data.deviceId, data })),
      );
    },
    stored: (tagId = 'tubing_pressure') => count('SELECT count(*)::int AS n FROM telemetry WHERE tenant_id = $1 AND tag_id = $2', [tagId]),
    quarantined: () => count('SELECT count(*)::int AS n FROM telemetry_quarantine WHERE tenant_id = $1'),
    storedAlarms: () =>
      count(`SELECT count(*)::int AS n FROM alarm_events WHERE tenant_id = $1 AND condition = 'H' AND transition IN ('raised', 'cleared')`),
    expectedAlarms: () => waveTransitions(acknowledgedSteps).length * devices.length,
    async alarmsAfterStateLoss() {
      const rows = await query<{ device_id: string; transition: Transition['transition']; ts: Date }>(
        `SELECT device_id, transition, ts FROM alarm_events WHERE tenant_id = $1 AND condition = 'H' AND transition IN ('raised', 'cleared') ORDER BY ts`,
        [tenant],
      );
      let expected = 0;
      const resets: string[] = [];
      for (const device of devices) {
        const stored = rows
          .filter((r) => r.device_id === device)
          .map((r) => ({ transition: r.transition, step: Math.round((new Date(r.ts).getTime() - t0) / STEP_MS) }));
        const k = resetThatExplains(stored, acknowledgedSteps);
        expected += k === undefined ? waveTransitions(acknowledgedSteps).length : stored.length;
        resets.push(
          k === undefined
            ? `${device}: no single reset explains its transitions`
            : k === 0
              ? `${device}: the loss changed none of its transitions`
              : `${device}: state lost at step ${k}`,
        );
      }
      return { expected, explanation: resets.join('; ') };
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
      const proc = processes.persist;
      if (!proc || proc.child.exitCode !== null) return 0;
      const text = await (await fetch(`http://127.0.0.1:${proc.port}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) => l.startsWith('flowline_fn_persist_rows_total') && l.includes('table="telemetry"') && l.includes('result="already-stored"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    },
    async readyz() {
      for (const proc of Object.values(processes)) {
        if (proc.child.exitCode !== null || proc.child.signalCode !== null) return 503;
        const status = await fetch(`http://127.0.0.1:${proc.port}/readyz`)
          .then((r) => r.status)
          .catch(() => 503);
        if (status !== 200) return status;
      }
      return 200;
    },
    async close() {
      await Promise.all(Object.values(processes).map((p) => p.stop()));
      await Promise.all(Object.values(sidecars).map((s) => s?.daprd?.stop()));
      await kafka.close();
    },
  };
}

/** What a case does to the pipeline while samples flow; resolves when the fault is over (the dependency is back). */
export type Fault = (pipeline: FaultPipeline, producing: Producing) => Promise<void>;

/**
 * One fault case, counted: samples flow until some are stored (unless `flowingFirst` is
 * false: a function is missing at first), the fault runs, then recovery is timed
 * until everything sent before the fault ended is stored; samples flow 3 s more, and the
 * counts are taken once all of them are stored (or 3 minutes pass).
 */
export async function runFaultCase(
  pipeline: FaultPipeline,
  fault: Fault,
  options: { flowingFirst?: boolean } = {},
): Promise<{
  sent: number;
  stored: number;
  alarmsExpected: number;
  alarmsStored: number;
  duplicates: number;
  absorbed: number;
  deadLetters: Record<string, number>;
  recoveryMs: number;
}> {
  const producing = pipeline.produceSteadily();
  try {
    if (options.flowingFirst ?? true) await until(async () => (await pipeline.stored()) > 20, 'samples flowing before the fault', 60_000);
    await fault(pipeline, producing);
  } catch (error) {
    await producing.stop().catch(() => {});
    throw error;
  }
  const back = Date.now();
  const sentBeforeBack = producing.sent();
  await until(async () => ((await pipeline.stored()) >= sentBeforeBack ? true : undefined), 'the backlog stored', 180_000).catch(() => {});
  const recoveryMs = Date.now() - back;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const sent = await producing.stop();
  const stored = await until(
    async () => {
      const n = await pipeline.stored();
      return n >= sent ? n : undefined;
    },
    `all ${sent} samples stored`,
    180_000,
  ).catch(() => pipeline.stored());
  const alarmsExpected = pipeline.expectedAlarms();
  const alarmsStored = await until(
    async () => {
      const n = await pipeline.storedAlarms();
      return n >= alarmsExpected ? n : undefined;
    },
    `${alarmsExpected} alarm transitions stored`,
    60_000,
  ).catch(() => pipeline.storedAlarms());
  return {
    sent,
    stored,
    alarmsExpected,
    alarmsStored,
    duplicates: await pipeline.duplicates(),
    absorbed: await pipeline.absorbed(),
    deadLetters: await pipeline.deadLetters(),
    recoveryMs,
  };
}

export type CaseResult = Awaited<ReturnType<typeof runFaultCase>>;

/** Writes the case's row to the journal, then holds it to the promise: nothing lost, nothing twice, no dead letter. */
export function recordAndCheck(name: string, fault: string, r: CaseResult, notes?: string): void {
  recordCase({
    name,
    fault,
    sent: r.sent,
    stored: r.stored,
    lost: r.sent - r.stored,
    alarms: { expected: r.alarmsExpected, stored: r.alarmsStored },
    absorbed: r.absorbed,
    duplicates: r.duplicates,
    deadLetters: r.deadLetters,
    recoveryMs: r.recoveryMs,
    ...(notes ? { notes } : {}),
  });
  expect(r.duplicates).toBe(0);
  expect(r.deadLetters).toEqual({});
  expect(r.stored).toBe(r.sent);
  expect(r.alarmsStored).toBe(r.alarmsExpected);
}
