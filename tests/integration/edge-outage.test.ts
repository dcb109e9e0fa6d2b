import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import type { EdgeSummary } from '../../edge-adapter/edge-adapter.ts';
import type { EdgeHealth } from '../../edge-adapter/ops/edge-health.ts';
import { pollCounterAddress } from '../../edge-adapter/simulators/modbus-image.ts';
import { ModbusSimulator } from '../../edge-adapter/simulators/modbus-simulator.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { startKafka, stopKafka } from '../../local-dev/services/kafka.ts';
import { projectTempDir } from '../support/edge-harness.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { freePort } from '../support/function-process.ts';
import { until } from '../support/kafka.ts';

/**
 * The link to Kafka drops while the adapter streams; the adapter itself is restarted
 * during the outage; Kafka comes back. Every sample read must arrive downstream once
 * (after dedup on the natural key device + tag + timestamp), in order per device.
 *
 * The broker here is this test's own (instance edge-outage, its own port and data):
 * the shared broker on 19092 serves other tests and other people, and stays up.
 * The adapter runs as a real process, `node edge-adapter/main.ts --config <file>`.
 */
const instance = 'edge-outage';
const port = Number(process.env.FLOWLINE_EDGE_OUTAGE_KAFKA_PORT || 19192);
const brokers = `127.0.0.1:${port}`;
const run = randomUUID().slice(0, 8);
const topic = `test.edge-outage-${run}.telemetry`;
const dir = projectTempDir('edge-outage');
const pad = new WellPad({ seed: 13 });
const simulator = new ModbusSimulator({ pad, port: 0 });
let configFile: string;
let httpPort: number;
const adapters: AdapterProcess[] = [];

interface AdapterProcess {
  child: EdgeProcess['child'];
  health(): Promise<EdgeHealth | undefined>;
  /** SIGTERM; resolves with the run's own account of what it read, from its last log line. */
  stop(): Promise<EdgeSummary>;
}

function startAdapter(name: string): AdapterProcess {
  const edge = startEdgeProcess({ configFile, httpPort, name: `edge-outage-${run}-${name}` });
  const adapter: AdapterProcess = {
    child: edge.child,
    health: edge.health,
    async stop() {
      const { code, summary, logFile } = await edge.stop();
      expect(code, `adapter ${name} exit code (log in ${logFile})`).toBe(0);
      if (!summary) throw new Error(`adapter ${name} logged no summary; see ${logFile}`);
      return summary;
    },
  };
  adapters.push(adapter);
  return adapter;
}

const healthOf = async (adapter: AdapterProcess, what: string, predicate: (h: EdgeHealth) => boolean, timeoutMs = 120_000) =>
  until(
    async () => {
      const h = await adapter.health();
      return h && predicate(h) ? h : undefined;
    },
    what,
    timeoutMs,
  );

/** Reads the topic until `unique` distinct natural keys were seen; returns every message in partition/offset order. */
async function readUntilUnique(unique: number, timeoutMs = 180_000) {
  const kafka = new Kafka({ clientId: 'edge-outage-reader', brokers: [brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  const messages: { partition: number; offset: number; key: string; sample: TelemetryRaw; id: string }[] = [];
  const keys = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${keys.size} of ${unique} distinct samples in ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const event = JSON.parse(message.value?.toString() ?? '{}');
            const sample = event.data as TelemetryRaw;
            messages.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? '', sample, id: event.id });
            keys.add(`${sample.deviceId}|${sample.tagId}|${sample.timestamp}`);
            if (keys.size >= unique) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

beforeAll(async () => {
  await startKafka({ port, instance });
  const admin = new Kafka({ clientId: 'edge-outage-setup', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  await simulator.start();
  httpPort = await freePort();
  configFile = join(dir, 'edge.yaml');
  writeFileSync(
    configFile,
    `# written by tests/integration/edge-outage.test.ts
site: outage
stateDir: ${JSON.stringify(join(dir, 'state'))}
http: { host: 127.0.0.1, port: ${httpPort} }
kafka: { brokers: [${brokers}], compression: gzip }
topics: { telemetry: ${topic} }
buffer: { path: buffer.sqlite, maxSamples: 1000000, whenFull: drop-oldest }
publish: { maxBatch: 500, lingerMs: 20 }
commands: { enabled: false }
devices:
  - id: rtu-w01
    protocol: modbus
    host: 127.0.0.1
    port: ${simulator.port}
    unitId: 1
    pollIntervalMs: 100
    timeoutMs: 5000
    wordOrder: little
    tags:
      - { id: poll-counter, table: input-register, address: ${pollCounterAddress}, type: uint32, wordOrder: big }
      - { id: w1-tubing-pressure, table: input-register, address: 0, type: float32 }
      - { id: w1-oil-rate, table: input-register, address: 6, type: float32 }
      - { id: w1-water-rate, table: input-register, address: 10, type: float32 }
  - id: rtu-w02
    protocol: modbus
    host: 127.0.0.1
    port: ${simulator.port}
    unitId: 2
    pollIntervalMs: 150
    timeoutMs: 5000
    tags:
      - { id: esp-frequency, table: input-register, address: 100, type: uint16, scale: 0.01 }
      - { id: esp-motor-current, table: input-register, address: 101, type: uint16, scale: 0.1 }
`,
  );
}, 300_000);

afterAll(async () => {
  for (const a of adapters) if (a.child.exitCode === null) a.child.kill('SIGKILL');
  await simulator.stop();
  await stopKafka({ instance });
}, 120_000);

describe('store-and-forward through a Kafka outage and an adapter restart', () => {
  it('delivers every sample read exactly once after dedup, in order per device', { timeout: 900_000 }, async () => {
    const first = startAdapter('first');
    await healthOf(first, 'the first adapter streaming', (h) => h.sink.state === 'connected' && h.sink.forwarded >= 100);

    await stopKafka({ instance });
    const down = await healthOf(
      first,
      'the first adapter to see the broker gone and buffer',
      (h) => h.sink.state === 'unreachable' && h.buffer.depth >= 300,
    );
    expect(down.devices['rtu-w01']?.state).toBe('connected'); // reading goes on
    const firstRun = await first.stop();
    expect(firstRun.bufferDepth).toBeGreaterThan(0);

    // A new process, the same buffer file: the backlog survived the restart and keeps growing.
    const second = startAdapter('second');
    const resumed = await healthOf(second, 'the second adapter up', () => true);
    expect(resumed.buffer.depth).toBeGreaterThanOrEqual(firstRun.bufferDepth);
    await healthOf(second, 'more samples buffered while still down', (h) => h.buffer.depth >= firstRun.bufferDepth + 200);

    await startKafka({ port, instance });
    const backAt = Date.now();
    // Drained when the oldest sample waiting was read after the broker came back.
    await healthOf(
      second,
      'the backlog replayed',
      (h) => h.sink.state === 'connected' && (h.buffer.oldestSampleAt === null || Date.parse(h.buffer.oldestSampleAt) >= backAt),
      300_000,
    );
    const secondRun = await second.stop();
    expect(secondRun.bufferDepth).toBe(0);
    expect(firstRun.dropped + secondRun.dropped).toBe(0);

    const read = firstRun.samplesRead + secondRun.samplesRead;
    const messages = await readUntilUnique(read);
    const firstSeen = new Map<string, (typeof messages)[number]>();
    for (const m of messages) {
      const key = `${m.sample.deviceId}|${m.sample.tagId}|${m.sample.timestamp}`;
      if (!firstSeen.has(key)) firstSeen.set(key, m);
      // A duplicate is the same event: the id derives from the natural key.
      expect(m.id).toBe(firstSeen.get(key)?.id);
    }
    // Exactly what was read: nothing lost, nothing invented.
    expect(firstSeen.size).toBe(read);

    // In order per device: Kafka key = device, one partition each, read order kept.
    const unique = [...firstSeen.values()];
    for (const device of ['rtu-w01', 'rtu-w02']) {
      const ofDevice = unique.filter((m) => m.sample.deviceId === device);
      expect(new Set(ofDevice.map((m) => m.partition)).size).toBe(1);
      expect(ofDevice.every((m) => m.key === device)).toBe(true);
      const times = ofDevice.map((m) => m.sample.timestamp);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    // The simulator's own count: every read of the counter register is there once, 1..N, no gaps.
    const counter = unique.filter((m) => m.sample.tagId === 'poll-counter' && m.sample.quality === Quality.GOOD).map((m) => m.sample.value);
    expect(counter.length).toBeGreaterThan(50);
    expect(counter).toEqual(Array.from({ length: counter.length }, (_, i) => i + 1));
  });
});
