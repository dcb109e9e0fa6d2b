/**
 * What a pad's box needs to run `npm run edge:site`: CPU and memory of the site process (the
 * edge adapter, validate, alarm and notify on the memory host, the console), read from /proc
 * every second, over a steady period with the WAN link up (forwarding to Kafka) and cut
 * (everything into the store-and-forward buffer), then while it catches up.
 *
 *   node bench/edge-site-footprint.ts [--seconds 60] [--pads example,1000] [--warmup 15]
 *
 * Pads: `example` is edge-adapter/examples/well-pad.yaml against the simulators (Modbus RTUs,
 * the OPC UA rig, Sparkplug B and JSON over MQTT); a number N is that pad plus copies of its
 * RTU (its register map, unit ids 1–3 of the same simulator) up to about N telemetry tags, each
 * polled once a second. The simulators run in a process of their own, so their CPU is not the
 * site's. The site's Redis (current values, alarm state) is a real one, accounted apart
 * (INFO). "Central" is a Kafka of this bench's own (instance `edge-site-bench`, port
 * FLOWLINE_EDGE_SITE_BENCH_KAFKA_PORT, default 19492, and the next three), reached only through
 * a loopback proxy this process cuts, as the edge-site test does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { load } from 'js-yaml';
import { Kafka, logLevel } from 'kafkajs';
import { startKafka, stopKafka } from '../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../local-dev/services/paths.ts';
import { envPort } from '../local-dev/services/process.ts';
import { startRedis, stopRedis } from '../local-dev/services/redis.ts';
import { StartedServices } from '../local-dev/services/started.ts';
import { ensureTopics } from '../runtime/hosts/kafka/ensure-topics.ts';
import { type EdgeProcess, startEdgeProcess } from '../tests/support/edge-process.ts';
import { freePort } from '../tests/support/function-process.ts';
import { LinkProxy } from '../tests/support/link-proxy.ts';
import { sampleProcess } from './pipeline/footprint.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '15' },
    pads: { type: 'string', default: 'example,1000' },
  },
});
const positive = (name: string, raw: string | undefined) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return n;
};
const seconds = positive('seconds', values.seconds);
const warmup = positive('warmup', values.warmup);
const pads = (values.pads ?? '').split(',').map((p) => {
  if (p === 'example') return 0;
  const n = positive('pads', p);
  if (n > 20_000) throw new Error(`--pads: ${n} tags is more than one Modbus connection can poll each second here; use at most 20000`);
  return n;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kafkaPort = envPort('FLOWLINE_EDGE_SITE_BENCH_KAFKA_PORT', 19492);
const link = { port: kafkaPort + 2, advertisedPort: kafkaPort + 3 };
const instance = 'edge-site-bench';
const dir = join(stateDir, 'tmp', `edge-site-bench-${process.pid}`);

type Device = { id: string; protocol: string; port?: number; endpoint?: string; unitId?: number; tags: { type?: string }[] };
type PadConfig = { devices: Device[]; connections: { url: string }[] } & Record<string, unknown>;
const telemetryTags = (d: Device) => d.tags.filter((t) => t.type !== 'string').length;

/** The example pad's file, pointed at this run's simulators, Kafka link and directories, grown to `tags` if asked. */
function padConfig(ports: Ports, tags: number, httpPort: number, site: string): { config: PadConfig; tags: number; extra: string[] } {
  const config = load(readFileSync(join(repoRoot, 'edge-adapter', 'examples', 'well-pad.yaml'), 'utf8')) as PadConfig;
  config.site = site;
  config.stateDir = join(dir, site);
  config.http = { host: '127.0.0.1', port: httpPort };
  config.kafka = { brokers: [`127.0.0.1:${link.advertisedPort}`], compression: 'gzip' };
  for (const c of config.connections) c.url = `mqtt://127.0.0.1:${ports.mqtt}`;
  for (const d of config.devices) {
    if (d.protocol === 'modbus') d.port = d.port === 5021 ? ports.rtu : ports.modbus;
    if (d.protocol === 'opcua') d.endpoint = `opc.tcp://127.0.0.1:${ports.opcua}`;
  }
  const rtu = config.devices.find((d) => d.id === 'rtu-w01');
  if (!rtu) throw new Error('edge-adapter/examples/well-pad.yaml has no rtu-w01 to copy: the bench grows the pad from it');
  const extra: string[] = [];
  let total = config.devices.reduce((n, d) => n + telemetryTags(d), 0);
  while (total < tags) {
    const id = `rtu-x${String(extra.length + 1).padStart(3, '0')}`;
    config.devices.push({ ...rtu, id, unitId: (extra.length % 3) + 1 });
    extra.push(id);
    total += telemetryTags(rtu);
  }
  return { config, tags: total, extra };
}

/** The example asset registry with the copied RTUs on the pad's field, so validate places their samples. */
function configDir(extra: string[]): string {
  const out = join(dir, `config-${extra.length}`);
  mkdirSync(out, { recursive: true });
  for (const kind of ['alarm-rules', 'channels', 'tag-rules', 'well-models'])
    writeFileSync(join(out, `${kind}.yaml`), readFileSync(join(repoRoot, 'config', 'examples', `${kind}.yaml`)));
  const assets = readFileSync(join(repoRoot, 'config', 'examples', 'assets.yaml'), 'utf8');
  const devices = extra.map((id) => `  - { id: ${id}, fieldId: campo-norte, description: copy of rtu-w01 for the footprint bench }`);
  writeFileSync(join(out, 'assets.yaml'), `${assets.trimEnd()}\n${devices.join('\n')}\n`);
  return out;
}

interface Ports {
  modbus: number;
  rtu: number;
  opcua: number;
  mqtt: number;
  control: number;
}

async function startSimulators(): Promise<{ ports: Ports; child: ChildProcess }> {
  const ports = {
    modbus: await freePort(),
    rtu: await freePort(),
    opcua: await freePort(),
    mqtt: await freePort(),
    control: await freePort(),
  };
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'edge-adapter', 'simulators', 'main.ts'),
      ...Object.entries({ modbus: ports.modbus, rtu: ports.rtu, opcua: ports.opcua, mqtt: ports.mqtt, control: ports.control }).flatMap(
        ([name, port]) => [`--${name}-port`, String(port)],
      ),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`http://127.0.0.1:${ports.control}/values`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null) throw new Error(`the simulators exited (${child.exitCode}) before answering on port ${ports.control}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // a retry starts another: this one must not linger
      throw new Error('the simulators did not answer within 60 s');
    }
    await sleep(250);
  }
  return { ports, child };
}

/** The site's own account: samples read so far, and the V8 heap in use (what of RssAnon is live objects). */
async function siteMetrics(httpPort: number): Promise<{ read: number; heapUsedMb: number }> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  return {
    read: [...text.matchAll(/^flowline_edge_samples_read_total\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0),
    heapUsedMb: Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? Number.NaN) / 1048576,
  };
}

async function redisCpuSeconds(redis: Redis): Promise<{ cpuSeconds: number; rssMb: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return { cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'), rssMb: field('used_memory_rss') / 1048576 };
}

interface Phase {
  pad: string;
  tags: number;
  phase: string;
  seconds: number;
  samplesPerSecond: number;
  cpuMean: number;
  cpuP95: number;
  rssMean: number;
  rssMax: number;
  anonMean: number;
  anonMax: number;
  /** RssAnon in the first and the last second: whether the process still grows. */
  anonFirst: number;
  anonLast: number;
  /** V8's heap in use at the end of the phase (after whatever collection last ran). */
  heapUsedMb: number;
  fileMean: number;
  redisCpu: number;
  redisRssMb: number;
  bufferDepth: number;
  bufferMb: number;
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** One phase: the site's process sampled every second for `length` s (or until `done`). */
async function measure(
  site: EdgeProcess,
  httpPort: number,
  redis: Redis,
  label: { pad: string; tags: number; phase: string },
  length: number,
  done?: () => Promise<boolean>,
): Promise<Phase> {
  const pid = site.child.pid as number;
  const first = sampleProcess(pid);
  if (!first) throw new Error(`the site (pid ${pid}) is gone`);
  const read0 = (await siteMetrics(httpPort)).read;
  const redis0 = await redisCpuSeconds(redis);
  const t0 = performance.now();
  let previous = { at: t0, cpu: first.cpuSeconds };
  const cores: number[] = [];
  const rss: number[] = [];
  const anon: number[] = [];
  while (performance.now() - t0 < length * 1000) {
    await sleep(1000);
    const s = sampleProcess(pid);
    if (!s) throw new Error(`the site (pid ${pid}) exited during the ${label.phase} phase`);
    const at = performance.now();
    cores.push((s.cpuSeconds - previous.cpu) / ((at - previous.at) / 1000));
    rss.push(s.rssMb);
    anon.push(s.privateMb);
    previous = { at, cpu: s.cpuSeconds };
    if (done && (await done())) break;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const redis1 = await redisCpuSeconds(redis);
  const health = await site.health();
  const end = await siteMetrics(httpPort);
  return {
    ...label,
    seconds: elapsed,
    samplesPerSecond: (end.read - read0) / elapsed,
    heapUsedMb: end.heapUsedMb,
    cpuMean: mean(cores),
    cpuP95: quantile(cores, 0.95),
    rssMean: mean(rss),
    rssMax: Math.max(...rss),
    anonMean: mean(anon),
    anonMax: Math.max(...anon),
    anonFirst: anon[0] ?? Number.NaN,
    anonLast: anon.at(-1) ?? Number.NaN,
    fileMean: mean(rss) - mean(anon),
    redisCpu: (redis1.cpuSeconds - redis0.cpuSeconds) / elapsed,
    redisRssMb: redis1.rssMb,
    bufferDepth: health?.buffer.depth ?? Number.NaN,
    bufferMb: (health?.buffer.bytesOnDisk ?? Number.NaN) / 1048576,
  };
}

function printTable(rows: Phase[]) {
  const f = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const head = [
    'pad',
    'tags',
    'phase',
    's',
    'samples/s',
    'CPU cores mean',
    'CPU p95',
    'RSS MB mean',
    'RSS max',
    'RssAnon mean',
    'RssAnon max',
    'RssAnon first → last',
    'file-backed',
    'V8 heap used',
    'Redis cores',
    'Redis RSS',
    'buffer samples',
    'buffer MB',
  ];
  const lines = rows.map((r) => [
    r.pad,
    f(r.tags),
    r.phase,
    f(r.seconds),
    f(r.samplesPerSecond),
    f(r.cpuMean, 3),
    f(r.cpuP95, 3),
    f(r.rssMean),
    f(r.rssMax),
    f(r.anonMean),
    f(r.anonMax),
    `${f(r.anonFirst)} → ${f(r.anonLast)}`,
    f(r.fileMean),
    f(r.heapUsedMb),
    f(r.redisCpu, 3),
    f(r.redisRssMb, 1),
    f(r.bufferDepth),
    f(r.bufferMb, 1),
  ]);
  console.log(`\n| ${head.join(' | ')} |\n|${head.map(() => ' --- ').join('|')}|`);
  for (const l of lines) console.log(`| ${l.join(' | ')} |`);
  console.log('');
}

const services = new StartedServices();
const proxy = new LinkProxy(link.advertisedPort, link.port);
let simulators: ChildProcess | undefined;
let site: EdgeProcess | undefined;
let redis: Redis | undefined;
process.once('SIGINT', () => {
  site?.child.kill('SIGKILL');
  simulators?.kill('SIGKILL');
  void services.stopAll().finally(() => process.exit(130));
});

const rows: Phase[] = [];
try {
  mkdirSync(dir, { recursive: true });
  const kafka = await services.use(startKafka({ port: kafkaPort, instance, link }), () => stopKafka({ instance }));
  // What the site produces to and consumes from, there before it starts, as on a central cluster.
  await ensureTopics(new Kafka({ clientId: 'edge-site-bench', brokers: [kafka.brokers], logLevel: logLevel.NOTHING }).admin(), [
    'scada.telemetry.raw',
    'scada.telemetry.compacted',
    'scada.commands',
    'scada.commands.results',
    'scada.alarm-actions',
    'system.audit-log',
  ]);
  const redisService = await services.use(startRedis(), stopRedis);
  redis = new Redis(redisService.url, { maxRetriesPerRequest: 2 });
  const sharedRedis = !redisService.started;
  await proxy.restore();
  // A port found free can be taken by another process before the simulators bind it: fresh ports, up to three times.
  const sim = await startSimulators()
    .catch(() => startSimulators())
    .catch(() => startSimulators());
  simulators = sim.child;
  for (const wanted of pads) {
    const name = wanted === 0 ? 'example' : `${wanted}-tag`;
    const httpPort = await freePort();
    const { config, tags, extra } = padConfig(sim.ports, wanted, httpPort, `bench-${name}`);
    const configFile = join(dir, `${name}.yaml`);
    // JSON is YAML: the file the site reads is this object as it stands.
    writeFileSync(configFile, JSON.stringify(config, null, 1));
    await proxy.restore();
    site = startEdgeProcess({
      script: join(repoRoot, 'edge-site', 'main.ts'),
      configFile,
      httpPort,
      name: `edge-site-bench-${name}`,
      args: ['--demo-users'],
      env: {
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        REDIS_URL: redisService.url,
        FLOWLINE_CONFIG_DIR: configDir(extra),
      },
    });
    const running = site;
    await running.healthWhen('the site forwarding to Kafka', (h) => h.sink.state === 'connected' && h.sink.forwarded > 0, 120_000);
    const label = (phase: string) => ({ pad: name, tags, phase });
    await sleep(warmup * 1000);
    rows.push(await measure(running, httpPort, redis, label('linked'), seconds));
    await proxy.cut();
    await running.healthWhen('the site seeing its link down', (h) => h.sink.state !== 'connected', 60_000);
    rows.push(await measure(running, httpPort, redis, label('cut'), seconds));
    await proxy.restore();
    // The backlog goes out oldest first beside the live samples: bounded, it may not drain in time.
    rows.push(
      await measure(running, httpPort, redis, label('catch-up'), seconds, async () => ((await running.health())?.buffer.depth ?? 1) === 0),
    );
    await running.stop();
    site = undefined;
    printTable(rows);
  }
  console.log(
    [
      'CPU cores: CPU seconds of the site process per second of wall time (utime + stime, /proc/<pid>/stat), each second; p95 over the seconds.',
      'RSS: VmRSS; RssAnon: its own pages (heap, stacks); file-backed: RSS − RssAnon (node, libraries, SQLite pages mapped; shared, reclaimable).',
      `Redis: the site’s Redis (INFO used_cpu_user + used_cpu_sys, used_memory_rss)${sharedRedis ? ', one this bench found running: its figures include whoever else uses it' : ''}. Simulators and the link proxy are not counted.`,
    ].join('\n'),
  );
} finally {
  await site?.kill();
  simulators?.kill('SIGTERM');
  redis?.disconnect();
  await proxy.cut();
  await services.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
