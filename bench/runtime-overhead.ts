/**
 * What the function runtime costs on the kafka host, against the floor a bare kafkajs
 * consumer sets on the same broker, topic and records, in one run:
 *
 *   bare kafkajs   eachBatch, JSON.parse of every value, commit per batch
 *   flowline       the kafka host delivering to a handler that does nothing: envelope and
 *                  schema validation (TelemetryRaw), context, outcome mapping, commits
 *
 * Both read the same pre-filled topic from the beginning with a fresh consumer group each,
 * in turns (bare, flowline, bare, flowline, ...), and report events per second. The gap
 * between the two is the runtime's overhead per event.
 *
 *   node bench/runtime-overhead.ts [--events 100000] [--rounds 3] [--partitions 3] [--profile]
 *
 * `--profile` writes a CPU profile of each flowline round (.flowline/profiles/runtime-<run>-<round>.cpuprofile).
 *
 * Uses the local broker (started here if absent) and a topic of its own, deleted
 * afterwards. Numbers depend on the machine and on whatever else it is doing: compare the
 * lines of one run, not runs across machines.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pino from 'pino';
import { TelemetryRaw } from '#contracts';
import { startKafka, stopKafka } from '../local-dev/services/kafka.ts';
import { stateDir } from '../local-dev/services/paths.ts';
import { defineFunction } from '../runtime/define-function.ts';
import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import { waitForLeaders } from '../runtime/hosts/kafka/ensure-topics.ts';
import { startKafkaHost } from '../runtime/hosts/kafka/host.ts';
import { FunctionManifest } from '../runtime/manifest.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { bindTo } from '../runtime/process-bindings.ts';
import { profileWhile } from './cpu-profile.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const rounds = Number(values.rounds);
const partitions = Number(values.partitions);

const kafkaService = await startKafka();
const run = randomUUID().slice(0, 8);
const topic = `bench.runtime-${run}.telemetry`;
const kafka = new Kafka({ clientId: 'runtime-bench', brokers: [kafkaService.brokers], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
// Not kafkajs' own leader wait: on a broker that has just started it gives up on a topic the
// broker does not know yet ("This server does not host this topic-partition"); ours retries.
await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
await waitForLeaders(admin, [topic]);

async function fill(): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t0 = Date.now();
  for (let sent = 0; sent < total; ) {
    const messages = [];
    for (let i = 0; i < 5000 && sent < total; i++, sent++) {
      const deviceId = `rtu-${sent % 50}`;
      const data = {
        timestamp: t0 + sent,
        deviceId,
        tagId: `tag_${sent % 200}`,
        value: sent % 1000,
        quality: 192,
        sourceProtocol: 'MODBUS',
      };
      const event = createEvent({ source: 'bench', type: 'scada.telemetry.raw', data, partitionkey: deviceId });
      messages.push({ key: deviceId, value: encodeEvent(event) });
    }
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

/** Consumes the whole topic with a fresh group; resolves with events per second. */
async function bare(round: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-bare-${run}-${round}`, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let started = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
        if (started === 0) started = performance.now();
        for (const message of batch.messages) {
          JSON.parse(message.value?.toString('utf8') ?? 'null');
          resolveOffset(message.offset);
          seen += 1;
        }
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }] }],
        });
        await heartbeat();
        if (seen >= total) resolve();
      },
    });
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return total / seconds;
}

/** The same through the kafka host and a handler that does nothing; resolves with events per second. */
async function flowline(round: number): Promise<number> {
  let seen = 0;
  let started = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const definition = defineFunction({ [topic]: TelemetryRaw }, async () => {
    if (started === 0) started = performance.now();
    seen += 1;
    if (seen >= total) resolveDone();
  });
  const name = `bench-fn-${run}-${round}`;
  const manifest = FunctionManifest.parse({ name, subscribes: [topic], startFrom: 'earliest' });
  const log = pino({ level: 'warn' });
  const resources = { redis: undefined, db: undefined, checks: {}, close: async () => {} };
  const fn = await bindTo({ dir: '.', manifest, definition }, resources, log, createRuntimeMetrics());
  const host = await startKafkaHost(fn, { kafka, createTopics: false });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await host.stop();
  return total / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

try {
  await fill();
  const results = { bare: [] as number[], flowline: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    results.bare.push(await bare(round));
    const profile = values.profile ? join(stateDir, 'profiles', `runtime-${run}-${round + 1}.cpuprofile`) : undefined;
    results.flowline.push(await profileWhile(profile, () => flowline(round)));
    console.log(
      `round ${round + 1}: bare kafkajs ${fmt(results.bare.at(-1) ?? 0)} events/s, flowline ${fmt(results.flowline.at(-1) ?? 0)} events/s`,
    );
  }
  const b = median(results.bare);
  const f = median(results.flowline);
  console.log(`\n${fmt(total)} events, ${partitions} partitions, ${rounds} rounds (median):`);
  console.log(`  bare kafkajs  ${fmt(b)} events/s   ${(1e6 / b).toFixed(1)} µs/event`);
  console.log(`  flowline      ${fmt(f)} events/s   ${(1e6 / f).toFixed(1)} µs/event`);
  console.log(`  runtime overhead: ${(1e6 / f - 1e6 / b).toFixed(1)} µs/event (${((b / f - 1) * 100).toFixed(0)} % more time per event)`);
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (kafkaService.started) await stopKafka();
}
