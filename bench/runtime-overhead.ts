/**
 * What the function runtime costs, host by host, against the floor a bare kafkajs consumer
 * sets on the same broker, topic and records, in one run:
 *
 *   bare kafkajs   eachBatch, JSON.parse of every value, commit per batch: the floor
 *   kafka host     a function that does nothing, on the kafka host: envelope and schema
 *                  validation (TelemetryRaw), context, outcome mapping, commits
 *   dapr host      the same function behind a real daprd (pubsub.kafka, bulk subscribe),
 *                  the production path on Kubernetes
 *   memory host    the same function on the in-process bus (`npm start`'s path), the same
 *                  encoded events: no broker at all, so no ratio to the floor
 *   @platformatic/kafka  the other client issue 14 asks about, doing the floor's bare work
 *                  (JSON.parse of every value, commits every 100 ms): `--no-platformatic` skips it
 *
 * Each reads the same pre-filled topic from the beginning with a fresh consumer group, in
 * turns (bare, kafka, dapr, memory, bare, ...), and reports events per second; the table
 * gives medians and each host's ratio to the floor (and dapr's to kafka).
 *
 *   node bench/runtime-overhead.ts [--events 100000] [--rounds 3] [--partitions 3]
 *                                  [--hosts kafka,dapr,memory] [--no-platformatic] [--profile]
 *
 * `--profile` writes a CPU profile of each kafka-host round (.flowline/profiles/runtime-<run>-<round>.cpuprofile).
 * Uses the local broker (started here if absent) and a topic of its own, deleted afterwards;
 * daprd is built once (local-dev). Numbers depend on the machine and on whatever else it is
 * doing: compare the lines of one run, not runs across machines.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startKafka, stopKafka } from '../local-dev/services/kafka.ts';
import { stateDir } from '../local-dev/services/paths.ts';
import { createEvent, encodeEvent } from '../runtime/envelope.ts';
import { waitForLeaders } from '../runtime/hosts/kafka/ensure-topics.ts';
import { profileWhile } from './cpu-profile.ts';
import { daprHostRound, kafkaHostRound, memoryHostRound } from './runtime/host-rounds.ts';
import { platformaticConsumerRound } from './runtime/platformatic-client.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '3' },
    hosts: { type: 'string', default: 'kafka,dapr,memory' },
    /** Also a bare @platformatic/kafka consumer beside the bare kafkajs one (issue 14: which client). */
    platformatic: { type: 'boolean', default: true },
    profile: { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const rounds = Number(values.rounds);
const partitions = Number(values.partitions);
const hostNames = ['kafka', 'dapr', 'memory'] as const;
type HostName = (typeof hostNames)[number];
const hosts = (values.hosts ?? '').split(',').map((h) => h.trim()) as HostName[];
for (const h of hosts) if (!hostNames.includes(h)) throw new Error(`--hosts takes ${hostNames.join(', ')}; got "${h}"`);

const kafkaService = await startKafka();
const run = randomUUID().slice(0, 8);
const topic = `bench.runtime-${run}.telemetry`;
const kafka = new Kafka({ clientId: 'runtime-bench', brokers: [kafkaService.brokers], logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
// Not kafkajs' own leader wait: on a broker that has just started it gives up on a topic the
// broker does not know yet ("This server does not host this topic-partition"); ours retries.
await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false });
await waitForLeaders(admin, [topic]);

/** The events, as encoded once: the memory host's bus is given the very bytes the broker holds. */
const encoded: { key: string; value: Buffer }[] = [];

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
      const message = { key: deviceId, value: encodeEvent(event) };
      messages.push(message);
      encoded.push(message);
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

try {
  await fill();
  const results: Record<'bare' | 'platformatic' | HostName, number[]> = { bare: [], platformatic: [], kafka: [], dapr: [], memory: [] };
  for (let round = 0; round < rounds; round++) {
    results.bare.push(await bare(round));
    if (values.platformatic) results.platformatic.push(await platformaticConsumerRound(kafkaService.brokers, topic, total));
    for (const host of hosts) {
      const name = `bench-${host}-${run}-${round}`;
      if (host === 'kafka') {
        const profile = values.profile ? join(stateDir, 'profiles', `runtime-${run}-${round + 1}.cpuprofile`) : undefined;
        results.kafka.push(await profileWhile(profile, () => kafkaHostRound(kafka, topic, total, name)));
      } else if (host === 'dapr') results.dapr.push(await daprHostRound(kafkaService.brokers, topic, total, name));
      else results.memory.push(await memoryHostRound(encoded, topic, name));
    }
    console.log(
      `round ${round + 1}: bare kafkajs ${fmt(results.bare.at(-1) ?? 0)} events/s${values.platformatic ? `, bare @platformatic/kafka ${fmt(results.platformatic.at(-1) ?? 0)}` : ''}, ${hosts.map((h) => `${h} host ${fmt(results[h].at(-1) ?? 0)}`).join(', ')}`,
    );
  }
  const b = median(results.bare);
  console.log(`\n${fmt(total)} events, ${partitions} partitions, ${rounds} rounds (median):\n`);
  console.log('| path | events/s | µs/event | of the bare consumer |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(`| bare kafkajs (floor) | ${fmt(b)} | ${(1e6 / b).toFixed(1)} | 1.00 |`);
  if (values.platformatic) {
    const p = median(results.platformatic);
    console.log(`| bare @platformatic/kafka | ${fmt(p)} | ${(1e6 / p).toFixed(1)} | ${(p / b).toFixed(2)} |`);
  }
  for (const host of hosts) {
    const r = median(results[host]);
    const ratio = host === 'memory' ? '– (no broker)' : (r / b).toFixed(2);
    console.log(`| ${host} host | ${fmt(r)} | ${(1e6 / r).toFixed(1)} | ${ratio} |`);
  }
  if (hosts.includes('kafka') && hosts.includes('dapr')) {
    console.log(`\ndapr host / kafka host: ${(median(results.dapr) / median(results.kafka)).toFixed(2)}`);
  }
  if (hosts.includes('kafka')) {
    const k = median(results.kafka);
    console.log(`runtime overhead on the kafka host: ${(1e6 / k - 1e6 / b).toFixed(1)} µs/event (goal: at least 0.80 of the floor)`);
  }
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  if (kafkaService.started) await stopKafka();
}
