/**
 * The whole pipeline, end to end: validate, alarm, persist, calc and notify, each its own
 * `node runtime/run.ts functions/<name>` process on the kafka host, on real Kafka,
 * PostgreSQL and Redis, fed by a paced producer at each offered load and once flat out:
 *
 *   throughput   samples/s from scada.telemetry.raw to committed telemetry rows
 *   latency      sample timestamp → row committed (PostgreSQL's commit timestamp of the
 *                row's transaction), sample → validate (received_at), and sample → a viewer
 *                of the field's live room through the gateway (`node gateway/main.ts`, over
 *                the browser's WebSocket API), p50 / p99
 *   stage behind peak lag per consumer group and topic during the round
 *   footprint    per function process: peak RSS, CPU seconds (/proc), idle RSS
 *   floors       in the same run, after each round: a bare kafkajs consumer reading the
 *                records the round produced, and a bare COPY of as many rows
 *
 * Rounds go load by load (500, 2,000, ... then flat out), `--rounds` times over; the
 * figures are medians. Writes bench/results/<name>.json and bench/results/<name>.svg.
 *
 *   node bench/pipeline.ts [--loads 500,2000,5000,10000] [--seconds 20] [--flat-out 50000]
 *                          [--rounds 2] [--wells 400] [--name pipeline] [--results bench/results] [--long]
 *
 * `--node-options="<flags>"` starts every function process with them (NODE_OPTIONS), e.g. V8's
 * heap settings, to see what they cost and save.
 * `--profile` runs each function under `node --cpu-prof` (profiles in .flowline/profiles/<run>/,
 * written when the bench stops them; open them in Chrome DevTools).
 * `--long` is the issue's sustained run: 10,000 samples/s for 300 s (and flat out), once.
 * The functions use the real topics and consumer groups: run it on a broker no other
 * Flowline consumes from (the local-dev one it starts, or one given by FLOWLINE_KAFKA_PORT).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { startKafka, stopKafka } from '../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../local-dev/services/paths.ts';
import { startPostgres, stopPostgres } from '../local-dev/services/postgres.ts';
import { startRedis, stopRedis } from '../local-dev/services/redis.ts';
import { StartedServices } from '../local-dev/services/started.ts';
import { loadManifest } from '../runtime/load-function.ts';
import { type FunctionProcess, startFunctionProcess } from '../tests/support/function-process.ts';
import { type GatewayProcess, startGatewayProcess } from '../tests/support/gateway-process.ts';
import { countRows, ensureCommitClock, resetCommitClock, roundLatency } from './pipeline/commit-latency.ts';
import { createFleet } from './pipeline/fleet.ts';
import { bareConsumer, bareCopy, createCopyFloorTable, endOffsets } from './pipeline/floors.ts';
import { sampleProcess, watchFootprint } from './pipeline/footprint.ts';
import { readLag, type Subscription, watchLag } from './pipeline/lag.ts';
import { latencyChart } from './pipeline/latency-chart.ts';
import { benchJwtSecret, type LiveViewer, openLiveViewer } from './pipeline/live-latency.ts';
import { produce } from './pipeline/paced-producer.ts';
import { goals, printReport, type RoundResult, summarise } from './pipeline/report.ts';
import { topicsReady } from './pipeline/topics-ready.ts';

const { values } = parseArgs({
  options: {
    loads: { type: 'string', default: '500,2000,5000,10000' },
    seconds: { type: 'string', default: '20' },
    'flat-out': { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '2' },
    wells: { type: 'string', default: '400' },
    name: { type: 'string', default: 'pipeline' },
    long: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'node-options': { type: 'string', default: '' },
    results: { type: 'string', default: join(repoRoot, 'bench', 'results') },
  },
});
const positive = (name: string, raw: string | undefined) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
};
const loads = (values.long ? '10000' : (values.loads ?? '')).split(',').map((v) => positive('loads', v));
const seconds = values.long ? 300 : positive('seconds', values.seconds);
const flatOutCount = positive('flat-out', values['flat-out']);
const rounds = values.long ? 1 : positive('rounds', values.rounds);
const wells = positive('wells', values.wells);
const name = values.name ?? 'pipeline';
if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`--name is a file name (lower-case letters, digits, "-"), got "${name}"`);

const functionNames = ['validate', 'alarm', 'persist', 'calc', 'notify'] as const;
/** persist's batch size: the COPY floor writes in batches as large. */
const PERSIST_BATCH = 500;
/** The COPY floor writes at most this many rows a round: enough for a steady rate, cheap next to the round. */
const COPY_FLOOR_ROWS = 50_000;

const services = new StartedServices();
const processes: Partial<Record<(typeof functionNames)[number], FunctionProcess>> = {};
let gateway: GatewayProcess | undefined;
let viewer: LiveViewer | undefined;
let cleanup: (() => Promise<void>) | undefined;
process.once('SIGINT', () => {
  console.error('interrupted: stopping what the bench started');
  void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
});

const kafkaService = await services.use(startKafka(), stopKafka);
let postgres = await services.use(startPostgres(), stopPostgres);
const commitClock = await ensureCommitClock(postgres);
postgres = commitClock.service;
const redis = await services.use(startRedis(), stopRedis);

const fleet = createFleet({ wells });
const database = `bench_pipeline_${fleet.id}`;
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const databaseUrl = Object.assign(new URL(postgres.url), { pathname: `/${database}` }).toString();

const kafka = new Kafka({ clientId: 'pipeline-bench', brokers: [kafkaService.brokers], logLevel: logLevel.NOTHING });
const kafkaAdmin = kafka.admin();
const db = new pg.Client({ connectionString: databaseUrl });

cleanup = async () => {
  viewer?.close();
  await gateway?.stop().catch(() => {});
  await Promise.all(Object.values(processes).map((p) => p.stop().catch(() => {})));
  await kafkaAdmin.disconnect().catch(() => {});
  await db.end().catch(() => {});
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
  if (commitClock.clock === 'commit-timestamp' && postgres.started) await resetCommitClock(postgres.url).catch(() => {});
  await admin.end().catch(() => {});
  rmSync(fleet.configDir, { recursive: true, force: true });
  await services.stopAll();
  cleanup = undefined;
};

try {
  await kafkaAdmin.connect();
  await topicsReady(kafkaAdmin);
  const subscriptions: Subscription[] = [];
  for (const fn of functionNames) {
    const manifest = await loadManifest(join(repoRoot, 'functions', fn));
    subscriptions.push({ group: manifest.name, topics: manifest.subscribes });
  }
  // The bench measures its own samples only: every group starts at the end of its topics
  // (what an earlier, interrupted run left behind is skipped, not counted in round one).
  // Explicit offsets: kafkajs' resetOffsets commits -1 ("latest"), which a group whose
  // function starts from the earliest offset takes for "nothing committed" and reads it all.
  for (const { group, topics } of subscriptions) {
    for (const topic of topics) {
      const ends = await kafkaAdmin.fetchTopicOffsets(topic);
      const partitions = ends.map((p) => ({ partition: p.partition, offset: p.high }));
      await kafkaAdmin.setOffsets({ groupId: group, topic, partitions }).catch((error: Error) => {
        throw new Error(
          `could not move the consumer group ${group} to the end of ${topic} (${error.message}): is another Flowline consuming from ${kafkaService.brokers}? Stop it, or give the bench a broker of its own with FLOWLINE_KAFKA_PORT`,
        );
      });
    }
  }

  console.log(`starting ${functionNames.join(', ')} on the kafka host (${fleet.devices.length} RTUs × ${fleet.tags.length} tags)`);
  await Promise.all(
    functionNames.map(async (fn) => {
      processes[fn] = await startFunctionProcess({
        dir: join(repoRoot, 'functions', fn),
        name: `bench-pipeline-${fleet.id}-${fn}`,
        env: {
          FLOWLINE_HOST: 'kafka',
          KAFKA_BROKERS: kafkaService.brokers,
          REDIS_URL: redis.url,
          DATABASE_URL: databaseUrl,
          FLOWLINE_CONFIG_DIR: fleet.configDir,
          // A log line per event would be the bench's cost, not the pipeline's.
          LOG_LEVEL: 'warn',
          NODE_OPTIONS: [
            process.env.NODE_OPTIONS ?? '',
            values['node-options'] ?? '',
            values.profile ? `--cpu-prof --cpu-prof-dir=${join(stateDir, 'profiles', fleet.id, fn)}` : '',
          ]
            .filter(Boolean)
            .join(' '),
        },
      });
    }),
  );
  await Promise.all(Object.values(processes).map((p) => p.ready(120_000)));
  // The operators' side: the gateway as deployed, and one viewer of the whole field's live room.
  const jwtSecret = benchJwtSecret();
  gateway = await startGatewayProcess({
    FLOWLINE_HOST: 'kafka',
    KAFKA_BROKERS: kafkaService.brokers,
    REDIS_URL: redis.url,
    DATABASE_URL: databaseUrl,
    FLOWLINE_CONFIG_DIR: fleet.configDir,
    GATEWAY_JWT_SECRET: jwtSecret,
    GATEWAY_KAFKA_GROUP: `bench-pipeline-${fleet.id}-gateway`,
    LOG_LEVEL: 'warn',
  });
  viewer = await openLiveViewer({ gatewayUrl: gateway.url, secret: jwtSecret, tenant: fleet.tenant, room: `field:${fleet.field}` });
  await db.connect();
  await createCopyFloorTable(db);
  const pids = Object.fromEntries(Object.entries(processes).map(([fn, p]) => [fn, p.child.pid as number]));
  // Settled after start-up (migrations, group joins), before any sample.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idle = Object.entries(pids).map(([fn, pid]) => [fn, sampleProcess(pid)] as const);
  const idleRssMb = Object.fromEntries(idle.map(([fn, s]) => [fn, s?.rssMb ?? Number.NaN]));
  const idlePrivateMb = Object.fromEntries(idle.map(([fn, s]) => [fn, s?.privateMb ?? Number.NaN]));

  const results: RoundResult[] = [];
  let offset = 0;
  const plan = [...loads.map((rate) => ({ rate, seconds })), { rate: 'flat-out' as const, count: flatOutCount }];
  for (let round = 1; round <= rounds; round++) {
    for (const load of plan) {
      const label = load.rate === 'flat-out' ? 'flat out' : `${load.rate.toLocaleString('en-US')}/s`;
      // A round starts on an empty pipeline: the backlog a load beyond capacity left is worked off first, uncounted.
      const settled = Date.now() + 180_000;
      while (Object.values(await readLag(kafkaAdmin, subscriptions).catch(() => ({ unread: 1 }))).some((l) => l > 0)) {
        if (Date.now() > settled) {
          console.warn(`round ${round} ${label}: the pipeline still had a backlog after 180 s; this round starts on it`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const from = await endOffsets(kafka, 'scada.telemetry.raw');
      const lag = watchLag(kafkaAdmin, subscriptions);
      const footprint = watchFootprint(pids);
      const roundStart = performance.now();
      const produced = await produce(kafka, fleet, load, offset);
      offset += produced.sent;
      const to = await endOffsets(kafka, 'scada.telemetry.raw');
      // Waiting is bounded: a load the pipeline cannot keep up with shows as rows missing, not as a bench that never ends.
      const drainMs = Math.max(60_000, (load.rate === 'flat-out' ? 60 : 4 * seconds) * 1000);
      const deadline = Date.now() + drainMs;
      let rows = 0;
      while (Date.now() < deadline) {
        rows = await countRows(db, fleet.tenant, produced.firstTimestamp, produced.lastTimestamp);
        if (rows >= produced.sent) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const wallSeconds = (performance.now() - roundStart) / 1000;
      await lag.stop();
      footprint.stop();
      const latency = await roundLatency(db, fleet.tenant, produced.firstTimestamp, produced.lastTimestamp, commitClock.clock);
      const live = liveRound(viewer, produced.firstTimestamp, produced.lastTimestamp);
      const consumerFloor = await bareConsumer(kafka, 'scada.telemetry.raw', from, to);
      const copyFloor = await bareCopy(db, fleet, Math.min(COPY_FLOOR_ROWS, produced.sent), PERSIST_BATCH);
      const result: RoundResult = {
        round,
        load: label,
        offered: load.rate === 'flat-out' ? null : load.rate,
        sent: produced.sent,
        producedPerSecond: produced.sent / produced.seconds,
        stored: latency.rows,
        drained: latency.rows >= produced.sent,
        ...latency,
        peakLag: lag.peaks(),
        functions: footprint.read(),
        wallSeconds,
        floors: { consumer: consumerFloor, copy: copyFloor },
        live,
      };
      results.push(result);
      const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v)} ms`);
      console.log(
        `round ${round} ${label.padEnd(9)} sent ${produced.sent.toLocaleString('en-US')}, stored ${latency.rows.toLocaleString('en-US')}` +
          `, ${Math.round(latency.throughput ?? 0).toLocaleString('en-US')} samples/s end to end, p50 ${ms(latency.commit?.p50)} p99 ${ms(latency.commit?.p99)}` +
          `, live p99 ${ms(live.p99)} (${live.received.toLocaleString('en-US')} seen)` +
          `; floors: consumer ${Math.round(consumerFloor).toLocaleString('en-US')}/s, COPY ${Math.round(copyFloor).toLocaleString('en-US')} rows/s`,
      );
    }
  }

  // What the processes keep once the load is gone (heap grown, caches of every tag).
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const idleAfterRssMb = Object.fromEntries(Object.entries(pids).map(([fn, pid]) => [fn, sampleProcess(pid)?.rssMb ?? Number.NaN]));
  const summary = summarise(results, idleRssMb, idleAfterRssMb, idlePrivateMb);
  const machine = `${(await import('node:os')).cpus().length} cores, Node ${process.versions.node}`;
  printReport(summary, { wells, tags: fleet.tags.length, seconds, rounds, machine, commitClock: commitClock.clock });
  const resultsDir = values.results ?? join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, `${name}.json`),
    `${JSON.stringify(
      {
        command: process.argv.slice(2).length ? `node bench/pipeline.ts ${process.argv.slice(2).join(' ')}` : 'npm run bench:pipeline',
        date: new Date().toISOString(),
        machine,
        fleet: { wells, rtus: fleet.devices.length, tags: fleet.tags.length },
        seconds,
        repetitions: rounds,
        commitClock: commitClock.clock,
        goals,
        summary,
        rounds: results,
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(
    join(resultsDir, `${name}.svg`),
    latencyChart(
      summary.loads.map((l) => ({
        label: l.load,
        throughput: l.throughput ?? Number.NaN,
        p50: l.commitP50 ?? Number.NaN,
        p99: l.commitP99 ?? Number.NaN,
      })),
      goals,
      `${wells} RTUs × ${fleet.tags.length} tags, ${seconds} s a load, median of ${rounds}, ${machine}`,
    ),
  );
  console.log(`\nwrote ${join(resultsDir, `${name}.json`)} and ${name}.svg beside it`);
  if (values.profile) console.log(`CPU profiles: ${join(stateDir, 'profiles', fleet.id)} (written as the functions stop)`);
} finally {
  await cleanup?.();
}

/** The viewer's latencies for a round's samples: p50 and p99, and how many it saw. */
function liveRound(viewer: LiveViewer | undefined, from: number, to: number): RoundResult['live'] {
  const latencies = (viewer?.latencies(from, to) ?? []).sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length === 0 ? undefined : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { received: latencies.length, p50: at(0.5), p99: at(0.99), resyncs: viewer?.resyncs ?? 0 };
}
