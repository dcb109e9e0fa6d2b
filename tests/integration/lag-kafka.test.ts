import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type FunctionLag, lagTargetOf, readFunctionLag } from '../../keda/lag.ts';
import { main } from '../../keda/lag-command.ts';
import { FunctionManifest, type FunctionManifestInput } from '../../runtime/manifest.ts';
import { freePort } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * Consumer lag read from the real broker, against numbers worked out by hand: the test
 * produces a known number of messages to known partitions and commits known offsets
 * for a consumer group (leaving some partitions never committed), then checks the lag
 * per partition and the replica count KEDA's formula gives.
 */
const { kafkaBrokers } = inject('services');
const run = randomUUID().slice(0, 8);
const wide = `lag-${run}.wide`; // 4 partitions
const narrow = `lag-${run}.narrow`; // 2 partitions
let kafka: TestKafka;
let admin: Admin;

/** Sends `count` messages to one partition of a topic. */
async function fill(topic: string, partition: number, count: number): Promise<void> {
  if (count === 0) return;
  await kafka.producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ partition, key: `k${i}`, value: `m${i}` })),
  });
}

/** Commits offsets for a group that has no live member, as a consumer would have. */
async function commit(groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
  await kafka.admin.setOffsets({
    groupId,
    topic,
    partitions: Object.entries(offsets).map(([p, o]) => ({ partition: Number(p), offset: String(o) })),
  });
}

const manifest = (input: Omit<FunctionManifestInput, 'subscribes'> & { subscribes?: string[] }) =>
  FunctionManifest.parse({ subscribes: [wide, narrow], ...input });

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  // Few retries: the unreadable-topic case should fail in seconds, not a minute.
  admin = new Kafka({ clientId: 'lag-test', brokers: [kafkaBrokers], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  await kafka.createTopics([wide], 4);
  await kafka.createTopics([narrow], 2);
  // High watermarks: wide 10, 7, 3, 0; narrow 20, 5.
  await fill(wide, 0, 10);
  await fill(wide, 1, 7);
  await fill(wide, 2, 3);
  await fill(narrow, 0, 20);
  await fill(narrow, 1, 5);
  for (const group of [`lag-${run}-latest`, `lag-${run}-earliest`]) {
    // wide: 0 at 4, 1 caught up at 7, 2 and 3 never committed; narrow: 0 at 2, 1 never committed.
    await commit(group, wide, { 0: 4, 1: 7 });
    await commit(group, narrow, { 0: 2 });
  }
  await commit(`lag-${run}-idle`, wide, { 0: 10, 1: 7, 2: 3, 3: 0 });
  await commit(`lag-${run}-idle`, narrow, { 0: 20, 1: 5 });
  // The broker answers offsets once the commits are durable; wait until it shows them.
  await until(async () => (await kafka.committed(`lag-${run}-idle`, narrow)).get(1) === 5, 'the idle group commits');
}, 120_000);

afterAll(async () => {
  await admin.disconnect();
  await kafka.close();
});

const byPartition = (lag: FunctionLag, topic: string) =>
  lag.topics.find((t) => t.topic === topic)?.partitions.map((p) => [p.partition, p.latestOffset, p.committedOffset ?? null, p.lag]);

describe('consumer lag against the real broker', () => {
  it('counts a partition with no committed offset as 1 under offsetResetPolicy latest, and computes the replicas', async () => {
    const lag = await readFunctionLag(
      admin,
      lagTargetOf(
        manifest({
          name: `lag-${run}-latest`,
          startFrom: 'latest',
          scaling: { minReplicas: 0, maxReplicas: 10, lagThreshold: 3, activationLagThreshold: 2 },
        }),
      ),
    );
    expect(byPartition(lag, wide)).toEqual([
      [0, 10, 4, 6],
      [1, 7, 7, 0],
      [2, 3, null, 1],
      [3, 0, null, 1],
    ]);
    expect(byPartition(lag, narrow)).toEqual([
      [0, 20, 2, 18],
      [1, 5, null, 1],
    ]);
    // wide: 8 in all, ⌊8/3⌋ = 2 ≤ 4 partitions, metric 8, ⌈8/3⌉ = 3.
    // narrow: 19 in all, ⌊19/3⌋ = 6 > 2 partitions, metric capped at 2 × 3 = 6, ⌈6/3⌉ = 2.
    expect(lag.topics.map((t) => t.trigger)).toEqual([
      { totalLag: 8, metric: 8, partitions: 4, active: true },
      { totalLag: 19, metric: 6, partitions: 2, active: true },
    ]);
    // The larger proposal wins; maxReplicas 10 is clamped to the 4 partitions of the wider topic.
    expect({ min: lag.minReplicas, max: lag.maxReplicas, replicas: lag.decision?.replicas }).toEqual({ min: 0, max: 4, replicas: 3 });
  });

  it('counts a partition with no committed offset as the messages it retains under offsetResetPolicy earliest (all of them here)', async () => {
    const lag = await readFunctionLag(
      admin,
      lagTargetOf(
        manifest({
          name: `lag-${run}-earliest`,
          startFrom: 'earliest',
          scaling: { minReplicas: 1, maxReplicas: 3, lagThreshold: 2, activationLagThreshold: 0 },
        }),
      ),
    );
    expect(byPartition(lag, wide)).toEqual([
      [0, 10, 4, 6],
      [1, 7, 7, 0],
      [2, 3, null, 3],
      [3, 0, null, 0],
    ]);
    expect(byPartition(lag, narrow)).toEqual([
      [0, 20, 2, 18],
      [1, 5, null, 5],
    ]);
    // wide: 9, ⌊9/2⌋ = 4 ≤ 4, metric 9, ⌈9/2⌉ = 5; narrow: 23, ⌊23/2⌋ = 11 > 2, metric 4, 2.
    expect(lag.topics.map((t) => t.trigger?.metric)).toEqual([9, 4]);
    // 5 wanted, maxReplicas 3 (already under the 4 partitions).
    expect(lag.decision).toMatchObject({ replicas: 3, proposal: 5, active: true });
  });

  it('applies the HPA tolerance when the current replica count is given', async () => {
    const target = lagTargetOf(
      manifest({
        name: `lag-${run}-latest`,
        startFrom: 'latest',
        subscribes: [narrow],
        scaling: { minReplicas: 1, maxReplicas: 20, lagThreshold: 9 },
      }),
    );
    // narrow alone: 19, ⌊19/9⌋ = 2 ≤ 2 partitions, metric 19, ⌈19/9⌉ = 3 (then capped at the 2 partitions).
    expect((await readFunctionLag(admin, target)).decision).toMatchObject({ proposal: 3, replicas: 2 });
    // With 2 running, 19 / (9 × 2) = 1.06 is within the 10 % tolerance: the HPA keeps 2.
    expect((await readFunctionLag(admin, target, 2)).decision).toMatchObject({ proposal: 2, replicas: 2 });
    // With 1 running, 2.1 is not: ⌈19/9⌉ = 3 again.
    expect((await readFunctionLag(admin, target, 1)).decision).toMatchObject({ proposal: 3 });
  });

  it('scales an idle group with minReplicas 0 to zero', async () => {
    const lag = await readFunctionLag(
      admin,
      lagTargetOf(manifest({ name: `lag-${run}-idle`, scaling: { minReplicas: 0, maxReplicas: 4 } })),
    );
    expect(lag.topics.flatMap((t) => t.partitions.map((p) => p.lag))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(lag.decision).toMatchObject({ replicas: 0, active: false });
  });

  it('reports a topic it cannot read, and no replica count (KEDA would fall back)', async () => {
    const lag = await readFunctionLag(
      admin,
      lagTargetOf(manifest({ name: `lag-${run}-latest`, startFrom: 'latest', subscribes: [wide, `lag-${run}.missing`] })),
    );
    expect(lag.topics[1]?.error).toBeTruthy();
    expect(lag.decision).toBeUndefined();
  }, 180_000);
});

describe('flowline lag', () => {
  let functionsDir: string;
  beforeAll(() => {
    functionsDir = mkdtempSync(join(tmpdir(), 'flowline-lag-functions-'));
    const name = `lag-${run}-latest`;
    mkdirSync(join(functionsDir, name));
    writeFileSync(
      join(functionsDir, name, 'function.yaml'),
      dump({
        name,
        subscribes: [wide, narrow],
        startFrom: 'latest',
        scaling: { minReplicas: 0, maxReplicas: 10, lagThreshold: 3, activationLagThreshold: 2 },
      }),
    );
  });
  afterAll(() => rmSync(functionsDir, { recursive: true, force: true }));

  it('prints the same numbers as a table', async () => {
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
    try {
      expect(await main(['--functions', functionsDir, '--brokers', kafkaBrokers])).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    const text = out.join('\n');
    expect(text).toMatch(new RegExp(`lag-${run}-latest\\s+${wide.replaceAll('.', '\\.')}\\s+2\\s+-\\s+3\\s+1 \\(no commit, latest\\)`));
    expect(text).toContain(`lag-${run}-latest: ${wide}: lag 8; ${narrow}: lag 19, KEDA metric 6 (capped at 2 partitions × 3) → 3 replicas`);
  });

  it('serves them on /metrics for Prometheus', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const served = main(['--functions', functionsDir, '--brokers', kafkaBrokers, '--serve', String(port)], { signal: stop.signal });
    try {
      const metrics = await until(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
        return res?.ok ? res.text() : undefined;
      }, 'the lag exporter answering /metrics');
      const group = `function="lag-${run}-latest",consumer_group="lag-${run}-latest"`;
      expect(metrics).toContain(`flowline_consumer_group_lag{${group},topic="${wide}",partition="0"} 6`);
      expect(metrics).toContain(`flowline_consumer_group_lag{${group},topic="${narrow}",partition="1"} 1`);
      expect(metrics).toContain(`flowline_keda_lag_metric{function="lag-${run}-latest",topic="${narrow}"} 6`);
      expect(metrics).toContain(`flowline_keda_desired_replicas{function="lag-${run}-latest"} 3`);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      stop.abort();
      expect(await served).toBe(0);
    }
  });
});
