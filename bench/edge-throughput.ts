/**
 * Edge adapter throughput, in tags (samples) per second, measured end to end:
 * Modbus simulators → `node edge-adapter/main.ts` (a process of its own) → its
 * store-and-forward buffer → Kafka (acks from all replicas, idempotent, gzip); and, in
 * the same run, a bare kafkajs producer sending the same records the same way, as the
 * ceiling this machine and broker allow, and a bare @platformatic/kafka producer (the other
 * client issue 14 asks about) doing the same.
 *
 *   node bench/edge-throughput.ts [--seconds 20] [--devices 4] [--tags 1000] [--sync full|normal] [--compression gzip|none] [--encrypted]
 *
 * --encrypted: the adapter's buffer sealed (buffer.encryption, a key made for the run), to
 * read its cost against a run without (bench:edge-buffer measures the same per row, alone).
 *
 * Uses the local broker (node local-dev/services.ts up kafka; started here if absent) and
 * a topic of its own, deleted afterwards. Numbers depend on the machine and on whatever
 * else the broker is doing: compare the two lines of one run, not runs across machines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { telemetryRecord } from '../edge-adapter/samples/telemetry-record.ts';
import { benchBase } from '../edge-adapter/simulators/modbus-image.ts';
import { ModbusSimulator } from '../edge-adapter/simulators/modbus-simulator.ts';
import { WellPad } from '../edge-adapter/simulators/well-pad.ts';
import { startKafka, stopKafka } from '../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../local-dev/services/paths.ts';
import { waitForLeaders } from '../runtime/hosts/kafka/ensure-topics.ts';
import { platformaticProducerRound } from './runtime/platformatic-client.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    devices: { type: 'string', default: '4' },
    tags: { type: 'string', default: '1000' },
    sync: { type: 'string', default: 'full' },
    compression: { type: 'string', default: 'gzip' },
    encrypted: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const devices = Number(values.devices);
const tagsPerDevice = Math.min(Number(values.tags), 10_000);
const maxBatch = 2000;
const gzip = values.compression !== 'none';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(port: number): Promise<{ read: number; forwarded: number; depth: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
  return {
    read: sum(/^flowline_edge_samples_read_total\{[^}]*\} (\S+)$/gm),
    forwarded: sum(/^flowline_edge_forwarded_total\{kind="samples"\} (\S+)$/gm),
    depth: sum(/^flowline_edge_buffer_depth (\S+)$/gm),
  };
}

const kafkaService = await startKafka();
const topic = `bench.edge-${randomUUID().slice(0, 8)}.telemetry`;
const kafka = new Kafka({ clientId: 'edge-bench', brokers: [kafkaService.brokers], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
// Not kafkajs' own leader wait: on a broker that has just started it gives up on a topic the
// broker does not know yet ("This server does not host this topic-partition"); ours retries.
await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: false });
await waitForLeaders(admin, [topic]);

const dir = join(stateDir, 'tmp', `edge-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const simulators = Array.from({ length: devices }, () => new ModbusSimulator({ pad: new WellPad(), port: 0 }));
let adapter: ChildProcess | undefined;

try {
  await Promise.all(simulators.map((s) => s.start()));
  const httpPort = await freePort();
  const tag = (i: number) => `      - { id: r${i}, table: input-register, address: ${benchBase + i}, type: uint16, scale: 0.1 }`;
  const config = join(dir, 'edge.yaml');
  writeFileSync(
    config,
    [
      'site: bench',
      `stateDir: ${JSON.stringify(join(dir, 'state'))}`,
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `kafka: { brokers: [${kafkaService.brokers}], compression: ${gzip ? 'gzip' : 'none'} }`,
      `topics: { telemetry: ${topic} }`,
      `buffer: { sync: ${values.sync}${values.encrypted ? ', encryption: { keyEnv: EDGE_BUFFER_KEY }' : ''} }`,
      `publish: { maxBatch: ${maxBatch}, lingerMs: 20 }`,
      'commands: { enabled: false }',
      'devices:',
      ...simulators.flatMap((s, d) => [
        `  - id: plc-${d}`,
        '    protocol: modbus',
        '    host: 127.0.0.1',
        `    port: ${s.port}`,
        '    pollIntervalMs: 10',
        '    tags:',
        ...Array.from({ length: tagsPerDevice }, (_, i) => tag(i)),
      ]),
    ].join('\n'),
  );
  adapter = spawn(process.execPath, [join(repoRoot, 'edge-adapter', 'main.ts'), '--config', config], {
    env: { ...process.env, LOG_LEVEL: 'warn', EDGE_BUFFER_KEY: randomBytes(32).toString('base64') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  while ((await scrape(httpPort).catch(() => ({ forwarded: 0 }))).forwarded === 0) {
    if (Date.now() > deadline) throw new Error('the adapter published nothing within 60 s');
    await sleep(250);
  }
  await sleep(5_000); // warm-up: connections made, JIT warm, buffer at its working size
  const start = { at: performance.now(), ...(await scrape(httpPort)) };
  await sleep(seconds * 1000);
  const end = { at: performance.now(), ...(await scrape(httpPort)) };
  const elapsed = (end.at - start.at) / 1000;

  // Replay: the devices go quiet and the backlog drains, as after an outage of the link.
  await Promise.all(simulators.map((s) => s.stop()));
  const replayStart = { at: performance.now(), ...(await scrape(httpPort)) };
  let replayEnd = replayStart;
  while (replayEnd.at - replayStart.at < seconds * 1000 && replayEnd.depth > 0) {
    await sleep(500);
    replayEnd = { at: performance.now(), ...(await scrape(httpPort)) };
  }
  const replayElapsed = (replayEnd.at - replayStart.at) / 1000;
  adapter.kill('SIGTERM');
  await new Promise((r) => adapter?.once('exit', r));
  adapter = undefined;
  await Promise.all(simulators.map((s) => s.stop()));

  // The ceiling: the same records (CloudEvents of TelemetryRaw, keyed by device), the same way.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const batch = Array.from({ length: maxBatch }, (_, i) => {
    const record = telemetryRecord(
      {
        timestamp: Date.now() + i,
        deviceId: `plc-${i % devices}`,
        tagId: `r${i % tagsPerDevice}`,
        value: i / 10,
        quality: 192,
        sourceProtocol: 'MODBUS',
      },
      topic,
      'flowline/edge/bench',
    );
    return { key: record.key, value: record.value as Buffer };
  });
  let sent = 0;
  const baselineStart = performance.now();
  while (performance.now() - baselineStart < seconds * 1000) {
    await producer.sendBatch({
      acks: -1,
      compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None,
      topicMessages: [{ topic, messages: batch }],
    });
    sent += batch.length;
  }
  const baselineElapsed = (performance.now() - baselineStart) / 1000;
  await producer.disconnect();
  // The other candidate client (issue 14), the same records the same way.
  const platformatic = await platformaticProducerRound(kafkaService.brokers, topic, batch, seconds, gzip);

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-US');
  console.log(
    [
      '',
      `edge adapter throughput (${devices} Modbus devices × ${tagsPerDevice} tags, buffer sync ${values.sync}${values.encrypted ? ', encrypted' : ''}; compression ${gzip ? 'gzip' : 'none'}; acks all; ${seconds} s)`,
      `  adapter, polling as fast as the devices answer: read ${rate(end.read - start.read, elapsed)} tags/s, published to Kafka ${rate(end.forwarded - start.forwarded, elapsed)} tags/s (backlog ${start.depth} → ${end.depth})`,
      replayStart.depth >= 5 * maxBatch
        ? `  adapter, replaying its backlog with the devices quiet: ${rate(replayEnd.forwarded - replayStart.forwarded, replayElapsed)} tags/s (backlog ${replayStart.depth} → ${replayEnd.depth})`
        : `  adapter, replaying its backlog: none worth measuring (${replayStart.depth} samples; publishing kept up with reading)`,
      `  bare kafkajs producer, same records, batches of ${maxBatch}, one in flight: ${rate(sent, baselineElapsed)} records/s`,
      `  bare @platformatic/kafka producer, the same: ${rate(platformatic, 1)} records/s`,
      '',
    ].join('\n'),
  );
} finally {
  adapter?.kill('SIGKILL');
  await Promise.allSettled(simulators.map((s) => s.stop()));
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (kafkaService.started) await stopKafka();
  rmSync(dir, { recursive: true, force: true });
}
