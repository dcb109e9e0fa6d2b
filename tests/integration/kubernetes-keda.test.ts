import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { derivedPaths } from '../../keda/generated-files.ts';
import { createOrReplace, type KubeApi, kubeApi } from '../../keda/kube-api.ts';
import { type FunctionLag, type LagTarget, readFunctionLag } from '../../keda/lag.ts';
import { main } from '../../keda/lag-command.ts';
import { readLagTargets } from '../../keda/lag-targets-file.ts';
import { installKeda, startKeda, stopKeda } from '../../local-dev/services/keda.ts';
import { type KubernetesService, startKubernetes, stopKubernetes } from '../../local-dev/services/kubernetes.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { chartWithFunctions } from '../support/chart-copy.ts';
import { startFunctionProcess } from '../support/function-process.ts';
import { helm } from '../support/helm.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';
import { helmOn } from '../support/kubernetes.ts';

/**
 * Parity with the real thing: KEDA v2.21 (operator + metrics adapter,
 * local-dev/services/keda.ts) reads the lag of the functions' consumer groups on the
 * loopback Kafka through the chart's own ScaledObjects (every function's, minimal values
 * with the brokers at the loopback Kafka), and kube-controller-manager's
 * HPA scales their Deployments. For each of KEDA's branches, `flowline lag`'s code
 * (keda/lag.ts, with the targets the chart wrote for its lag exporter) predicts from the
 * same offsets what KEDA reports and the replicas the HPA sets; the test checks both.
 * No kubelet: Pods stay Pending and consume nothing, so the lag made here is the lag seen.
 */
const { kafkaBrokers, redisUrl } = inject('services');
const secureKafka = inject('secureKafka');
const namespace = 'flowline-keda';
const release = 'flowline';
/**
 * alarm: min 1, two topics. notify: minReplicas 0 through values, to see activation.
 * validate: its topic given twice the broker's partitions in values, as a platform team's
 * values may say (the ScaledObject's maxReplicaCount then exceeds the broker's count).
 * backfill: a function added for this test (in a copy of the chart, as a developer adds
 * one) that starts from the earliest offset.
 */
const scaled = ['alarm', 'notify', 'validate', 'backfill'] as const;
type Scaled = (typeof scaled)[number];
const notifyTiming = { pollingIntervalSeconds: 2, cooldownPeriodSeconds: 10 };
const backfillTopic = 'keda-parity.backfill.records';
const root = mkdtempSync(join(tmpdir(), 'flowline-keda-chart-'));
const chartDir = join(root, 'charts', 'flowline');
let functions: { name: string; subscribes: string[] }[];
const validateTopic = () => functions.find((f) => f.name === 'validate')?.subscribes[0];

let cluster: KubernetesService;
let api: KubeApi;
let kafka: TestKafka;
let kedaStarted = false;
let targets: Map<string, LagTarget>;

interface Condition {
  type: string;
  status: string;
}
interface ScaledObject {
  spec: { minReplicaCount: number; maxReplicaCount: number };
  status?: { conditions?: Condition[]; hpaName?: string };
}
interface Hpa {
  spec: { metrics: { external: { metric: { name: string; selector: { matchLabels: Record<string, string> } } } }[] };
  status: { desiredReplicas?: number };
}

const scaledObjectPath = (fn: string) => `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/${fn}`;
const hpaPath = (fn: string) => `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/keda-hpa-${fn}`;
const replicasOf = async (fn: Scaled) =>
  (await api.get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/${fn}`)).spec.replicas;
const targetOf = (fn: Scaled) => targets.get(fn) as LagTarget;

/** A resource.Quantity as the API serialises it ("1500", "3k", "1500m"). */
function quantityValue(q: string): number {
  const match = /^([0-9.]+)(m|k|M|G)?$/.exec(q);
  if (!match) throw new Error(`not a quantity this test reads: ${q}`);
  return Number(match[1]) * ({ m: 1e-3, k: 1e3, M: 1e6, G: 1e9 }[match[2] as 'm' | 'k' | 'M' | 'G'] ?? 1);
}

/** What KEDA reports per trigger now, through kube-apiserver's aggregation layer, by topic. */
async function reportedMetrics(fn: Scaled): Promise<Record<string, number[]>> {
  const hpa = await api.get<Hpa>(hpaPath(fn));
  const entries = await Promise.all(
    hpa.spec.metrics.map(async ({ external: { metric } }) => {
      // KEDA names trigger i's metric s<i>-kafka-<topic>; the triggers follow `subscribes`.
      const index = Number(/^s(\d+)-/.exec(metric.name)?.[1]);
      const selector = Object.entries(metric.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const list = await api.get<{ items: { value: string }[] }>(
        `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${metric.name}?labelSelector=${encodeURIComponent(selector)}`,
      );
      return [targetOf(fn).topics[index] ?? metric.name, list.items.map((i) => quantityValue(i.value))] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** `flowline lag`'s prediction from the broker's offsets now, with the Deployment's current replicas. */
async function predict(fn: Scaled): Promise<FunctionLag & { decision: NonNullable<FunctionLag['decision']> }> {
  const lag = await readFunctionLag(kafka.admin, targetOf(fn), await replicasOf(fn));
  if (!lag.decision) throw new Error(`flowline lag could not read ${fn}'s topics: ${lag.topics.map((t) => t.error).join('; ')}`);
  return lag as FunctionLag & { decision: NonNullable<FunctionLag['decision']> };
}

/** Polls until `read` gives `expected`; the failure names the last value seen. */
async function settlesOn<T>(what: string, read: () => Promise<T>, expected: T, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`${what} did not become ${JSON.stringify(expected)} within ${timeoutMs / 1000} s: last ${JSON.stringify(last)}`);
}

/** KEDA's metric per topic equals the prediction's, then the Deployment's replicas do. */
async function expectKedaToAgree(fn: Scaled, predicted: Awaited<ReturnType<typeof predict>>): Promise<void> {
  const metrics = Object.fromEntries(predicted.topics.map((t) => [t.topic, [t.trigger?.metric]]));
  await settlesOn(`the external metrics KEDA reports for ${fn}`, () => reportedMetrics(fn), metrics);
  await settlesOn(`${fn}'s Deployment spec.replicas`, () => replicasOf(fn), predicted.decision.replicas);
}

async function produce(topic: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 500) {
    const batch = Math.min(500, count - sent);
    await kafka.producer.send({ topic, acks: -1, messages: Array.from({ length: batch }, (_, i) => ({ value: `lag-${sent + i}` })) });
  }
}

/** Commits a function's group at the end of every topic it reads: no lag. */
async function commitAtEnd(fn: Scaled): Promise<void> {
  for (const topic of targetOf(fn).topics) {
    const latest = await kafka.admin.fetchTopicOffsets(topic);
    await kafka.admin.setOffsets({
      groupId: targetOf(fn).consumerGroup,
      topic,
      partitions: latest.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  }
}

/** The lag exporter's targets as the installed release has them (overrides applied), also kept in targetsFile. */
const targetsFile = join(root, 'targets.yaml');
async function installedTargets(): Promise<Map<string, LagTarget>> {
  const configMap = await api.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${namespace}/configmaps/${release}-lag-exporter`);
  writeFileSync(targetsFile, configMap.data['targets.yaml'] ?? '');
  return new Map((await readLagTargets(targetsFile)).map((t) => [t.function, t]));
}

/** `flowline lag --kubeconfig … --json` for one function: its exit code and what it printed. */
async function flowlineLagOnCluster(fn: Scaled, targets: string) {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  try {
    const code = await main([
      ...['--targets', targets, '--function', fn, '--brokers', kafkaBrokers],
      ...['--kubeconfig', cluster.kubeconfig, '--namespace', namespace, '--json'],
    ]);
    const [row] = JSON.parse(printed.join('\n')) as { cluster: { replicas: number; disagreements: string[] } }[];
    return { code, cluster: row?.cluster };
  } finally {
    spy.mockRestore();
  }
}

/** The repository's chart plus backfill; `functions` as that chart lists them. */
async function chartWithBackfill(): Promise<void> {
  await chartWithFunctions(root, {
    backfill: {
      subscribes: [backfillTopic],
      startFrom: 'earliest',
      scaling: { minReplicas: 1, maxReplicas: 6, lagThreshold: 50, activationLagThreshold: 5 },
    },
  });
  functions = (load(readFileSync(join(root, derivedPaths.chartFunctions), 'utf8')) as { functions: typeof functions }).functions;
}

beforeAll(async () => {
  helm(['version']);
  await chartWithBackfill();
  // A machine's first run builds KEDA (minutes, the event loop blocked) before the control plane
  // starts: a first run once found its control plane stopped under it at the end of that build.
  installKeda();
  cluster = await startKubernetes();
  api = kubeApi(cluster.credentials);
  kedaStarted = (await startKeda(cluster)).started;
  kafka = await connectTestKafka(kafkaBrokers);
  helm(['uninstall', release, '--namespace', namespace, '--ignore-not-found', '--wait', '--kubeconfig', cluster.kubeconfig]); // a kept cluster
  // What a platform team does before installing: the topics exist (KEDA cannot describe a
  // missing one) and so do the Secrets the Deployments reference (KEDA reads their env).
  const topics = [...new Set(functions.flatMap((f) => f.subscribes))];
  await kafka.createTopics(topics, 3); // a topic that exists keeps its partitions
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await createOrReplace(api, `/api/v1/namespaces/${namespace}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'flowline-postgres' },
    stringData: { uri: 'postgres://flowline@127.0.0.1:5432/flowline' },
  });
  await createOrReplace(api, `/api/v1/namespaces/${namespace}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'flowline-service-token' },
    stringData: { token: 'a-token-of-at-least-16-characters' },
  });
  const { topics: metadata } = await kafka.admin.fetchTopicMetadata({ topics });
  helmOn(cluster.kubeconfig, [
    'install',
    release,
    chartDir,
    '--namespace',
    namespace,
    '--create-namespace',
    '--values',
    join(chartDir, 'ci', 'minimal-values.yaml'),
    '--set',
    [
      `kafka.brokers=${kafkaBrokers}`, // KEDA runs on this machine: the loopback broker is reachable
      'dapr.enabled=false',
      'gateway.enabled=false',
      // The chart clamps maxReplicaCount to a topic's partitions: give it the broker's real counts.
      ...metadata.map(
        (t) => `kafka.topicPartitions.${t.name.replaceAll('.', '\\.')}=${t.partitions.length * (t.name === validateTopic() ? 2 : 1)}`,
      ),
      // Kubernetes' default waits 5 minutes before scaling down; values shorten it, no template edit.
      'keda.hpaBehavior.scaleDown.stabilizationWindowSeconds=0',
      'functions.overrides.notify.scaling.minReplicas=0',
      `functions.overrides.notify.scaling.pollingIntervalSeconds=${notifyTiming.pollingIntervalSeconds}`,
      `functions.overrides.notify.scaling.cooldownPeriodSeconds=${notifyTiming.cooldownPeriodSeconds}`,
    ].join(','),
  ]);
  targets = await installedTargets();
  for (const fn of scaled) await commitAtEnd(fn);
}, 1_800_000);

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  // Leave no backlog of this test's messages for the next user of these groups.
  if (targets) for (const fn of scaled) await commitAtEnd(fn).catch(() => undefined);
  await kafka?.close();
  if (process.env.FLOWLINE_KEEP_SERVICES === '1') return;
  if (kedaStarted) await stopKeda(cluster);
  if (cluster?.started) await stopKubernetes();
});

// Each step waits for KEDA's metric and then the HPA (90 s each at most): more than the project's 120 s default.
describe('KEDA and the HPA on the chart’s ScaledObjects, beside flowline lag', { timeout: 420_000 }, () => {
  it('makes every ScaledObject of the chart Ready and creates its HPA, one metric per subscribed topic', async () => {
    for (const { name: fn } of functions) {
      await settlesOn(
        `${fn}'s Ready condition`,
        async () => (await api.get<ScaledObject>(scaledObjectPath(fn))).status?.conditions?.find((c) => c.type === 'Ready')?.status,
        'True',
        60_000,
      );
      expect((await api.get<ScaledObject>(scaledObjectPath(fn))).status?.hpaName).toBe(`keda-hpa-${fn}`);
      expect((await api.get<Hpa>(hpaPath(fn))).spec.metrics).toHaveLength(targets.get(fn)?.topics.length ?? -1);
    }
  });

  it('agrees on persistent lag under the partition cap: ⌈lag / threshold⌉ replicas', async () => {
    const { lagThreshold, topics } = targetOf('alarm');
    await produce(topics[0] as string, Math.round(lagThreshold * 1.5));
    const predicted = await predict('alarm');
    expect(predicted.decision.replicas).toBeGreaterThan(predicted.minReplicas); // the case under test, not a bound
    expect(predicted.decision.replicas).toBeLessThan(predicted.maxReplicas);
    await expectKedaToAgree('alarm', predicted);
    expect((await api.get<Hpa>(hpaPath('alarm'))).status.desiredReplicas).toBe(predicted.decision.replicas);
  });

  it('is what flowline lag --kubeconfig reads from the cluster, and it says so; with other thresholds it says where they differ', async () => {
    // alarm stands at the replicas of the step above, its backlog unchanged.
    expect(await flowlineLagOnCluster('alarm', targetsFile)).toEqual({
      code: 0,
      cluster: expect.objectContaining({ replicas: await replicasOf('alarm'), disagreements: [] }),
    });
    // Targets that are not the release's (a stale exporter): three times the threshold.
    const stale = join(root, 'stale-targets.yaml');
    writeFileSync(
      stale,
      readFileSync(targetsFile, 'utf8').replaceAll(
        `lagThreshold: ${targetOf('alarm').lagThreshold}`,
        `lagThreshold: ${3 * targetOf('alarm').lagThreshold}`,
      ),
    );
    const differs = await flowlineLagOnCluster('alarm', stale);
    expect(differs.code).toBe(3);
    expect(differs.cluster?.disagreements).toEqual([expect.stringMatching(/^the Deployment has \d+ replicas, flowline lag predicts 1$/)]);
  });

  it('agrees when the lag passes partitions × threshold: KEDA reports the capped metric, the HPA goes to the maximum', async () => {
    const { lagThreshold, topics } = targetOf('alarm');
    const topic = topics[0] as string;
    const partitions = (await kafka.admin.fetchTopicOffsets(topic)).length;
    await produce(topic, (partitions + 1) * lagThreshold);
    const predicted = await predict('alarm');
    const trigger = predicted.topics[0]?.trigger;
    expect(trigger && trigger.metric < trigger.totalLag).toBe(true); // the cap applies
    expect(predicted.decision.replicas).toBe(predicted.maxReplicas);
    await expectKedaToAgree('alarm', predicted);
  });

  it('agrees once the backlog is committed away: back to the minimum', async () => {
    await commitAtEnd('alarm');
    const predicted = await predict('alarm');
    expect(predicted.decision.replicas).toBe(Math.max(1, predicted.minReplicas));
    await expectKedaToAgree('alarm', predicted);
  });

  it('agrees on a group with no committed offset under alarm’s policy (earliest, the default): what the partitions retain counts', async () => {
    expect(targetOf('alarm').offsetResetPolicy).toBe('earliest');
    await kafka.admin.deleteGroups([targetOf('alarm').consumerGroup]);
    const predicted = await predict('alarm');
    // No commit: each partition's lag is all it still holds, not 1 as under latest.
    for (const t of predicted.topics) expect(t.trigger?.totalLag).toBe(t.partitions.reduce((sum, p) => sum + p.lag, 0));
    expect(predicted.topics.some((t) => (t.trigger?.totalLag ?? 0) > t.partitions.length)).toBe(true);
    await expectKedaToAgree('alarm', predicted);
  });

  it('agrees when the values give a topic more partitions than the broker has: the ScaledObject’s maximum bounds the HPA', async () => {
    const { lagThreshold, topics } = targetOf('validate');
    const topic = topics[0] as string;
    const partitions = (await kafka.admin.fetchTopicOffsets(topic)).length;
    const so = await api.get<ScaledObject>(scaledObjectPath('validate'));
    expect(so.spec.maxReplicaCount).toBeGreaterThan(partitions); // the case under test
    // ⌊lag / threshold⌋ = partitions is not above them: KEDA does not cap, the HPA asks for one more.
    await produce(topic, partitions * lagThreshold + lagThreshold / 2);
    const predicted = await predict('validate');
    expect(predicted.maxReplicas).toBe(so.spec.maxReplicaCount);
    expect(predicted.decision.replicas).toBe(partitions + 1);
    await expectKedaToAgree('validate', predicted);
  });

  it('returns to the minimum when the function itself, a process on the kafka host in the same group, drains the backlog', async () => {
    // validate's backlog from the step above: messages its schema refuses, so it dead-letters and commits them.
    expect(await replicasOf('validate')).toBeGreaterThan(1);
    const fn = await startFunctionProcess({
      dir: join(repoRoot, 'functions', 'validate'),
      name: 'keda-validate',
      env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: kafkaBrokers, REDIS_URL: redisUrl },
    });
    try {
      await fn.ready(90_000);
      const lagOf = async () => (await predict('validate')).topics.reduce((sum, t) => sum + (t.trigger?.totalLag ?? Number.NaN), 0);
      await settlesOn("validate's consumer lag", lagOf, 0, 120_000);
      const predicted = await predict('validate');
      expect(predicted.decision.replicas).toBe(Math.max(1, predicted.minReplicas));
      await expectKedaToAgree('validate', predicted);
    } finally {
      await fn.stop();
    }
  });

  it('agrees on a group with no committed offset and offsetResetPolicy earliest: the retained messages count', async () => {
    await kafka.admin.deleteGroups([targetOf('backfill').consumerGroup]); // never committed
    // 300 messages, all but the last 100 gone (as retention would remove them): KEDA 2.21 counts the 100 left.
    await kafka.producer.send({
      topic: backfillTopic,
      acks: -1,
      messages: Array.from({ length: 300 }, (_, i) => ({ partition: 0, value: `backfill-${i}` })),
    });
    const end = Number((await kafka.admin.fetchTopicOffsets(backfillTopic)).find((o) => o.partition === 0)?.high);
    await kafka.admin.deleteTopicRecords({ topic: backfillTopic, partitions: [{ partition: 0, offset: String(end - 100) }] });
    const offsets = await kafka.admin.fetchTopicOffsets(backfillTopic);
    expect(Number(offsets.find((o) => o.partition === 0)?.low)).toBe(end - 100); // the case under test: the log no longer starts at 0
    const retained = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    const predicted = await predict('backfill');
    expect(predicted.topics[0]?.trigger?.totalLag).toBe(retained);
    await expectKedaToAgree('backfill', predicted);
  });

  describe('activation, notify with minReplicas 0', () => {
    const topic = () => targetOf('notify').topics[0] as string;

    it('is scaled to 0 while idle', async () => {
      const predicted = await predict('notify');
      expect(predicted.decision).toMatchObject({ replicas: 0, active: false });
      await expectKedaToAgree('notify', predicted);
    });

    it('stays at 0 with lag at or below the activation threshold, though KEDA sees it', async () => {
      await produce(topic(), targetOf('notify').activationLagThreshold);
      const predicted = await predict('notify');
      expect(predicted.decision).toMatchObject({ replicas: 0, active: false });
      await expectKedaToAgree('notify', predicted);
      // Two more polls: an activation would have happened by now.
      await new Promise((r) => setTimeout(r, 2 * notifyTiming.pollingIntervalSeconds * 1_000 + 1_000));
      expect(await replicasOf('notify')).toBe(0);
    });

    it('goes 0 → 1 once the lag passes it, and back to 0 after the cooldown when it is gone', async () => {
      await produce(topic(), 1); // one more than the threshold
      const active = await predict('notify');
      expect(active.decision).toMatchObject({ replicas: 1, active: true });
      await expectKedaToAgree('notify', active);
      await commitAtEnd('notify');
      const idle = await predict('notify');
      expect(idle.decision).toMatchObject({ replicas: 0, active: false });
      await expectKedaToAgree('notify', idle);
    });
  });
});

/**
 * The chart's TriggerAuthentication against a broker that demands it: KEDA reads the lag over
 * TLS (the broker's CA), SASL_SSL (SCRAM-SHA-512) and mutual TLS (a client certificate), from
 * Secrets as a platform team creates them, and reports what `flowline lag` computes from the
 * same offsets. One release per listener, validate alone in it.
 */
describe('KEDA on a broker that demands TLS, SCRAM over TLS, or a client certificate', { timeout: 420_000 }, () => {
  const listeners = [
    // TLS alone: the broker's CA is all the TriggerAuthentication carries.
    { name: 'ssl', brokers: () => secureKafka.ssl, set: [] as string[] },
    {
      name: 'sasl-ssl',
      brokers: () => secureKafka.saslSsl,
      set: ['kafka.sasl.mechanism=scram-sha-512', 'kafka.sasl.existingSecret=kafka-user'],
    },
    { name: 'mtls', brokers: () => secureKafka.mtls, set: ['kafka.tls.clientCertSecret.name=kafka-client'] },
  ];

  for (const listener of listeners) {
    it(`reads the lag over ${listener.name} through the chart's TriggerAuthentication, as flowline lag predicts`, async () => {
      const ns = `flowline-keda-${listener.name}`;
      const secured = await connectTestKafka(secureKafka.brokers); // the plaintext listener, for the test's own writes
      try {
        await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        const secret = (name: string, stringData: Record<string, string>) =>
          createOrReplace(api, `/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData });
        await secret('flowline-postgres', { uri: 'postgres://flowline@127.0.0.1:5432/flowline' });
        await secret('flowline-service-token', { token: 'a-token-of-at-least-16-characters' });
        await secret('kafka-ca', { 'ca.crt': readFileSync(secureKafka.pki.caCert, 'utf8') });
        await secret('kafka-user', { username: secureKafka.scram.username, password: secureKafka.scram.password });
        await secret('kafka-client', {
          'tls.crt': readFileSync(secureKafka.pki.client.cert, 'utf8'),
          'tls.key': readFileSync(secureKafka.pki.client.key, 'utf8'),
        });
        const others = functions.filter((f) => f.name !== 'validate').map((f) => `functions.overrides.${f.name}.enabled=false`);
        helm(['uninstall', release, '--namespace', ns, '--ignore-not-found', '--wait', '--kubeconfig', cluster.kubeconfig]);
        helmOn(cluster.kubeconfig, [
          ...['install', release, chartDir, '--namespace', ns, '--values', join(chartDir, 'ci', 'minimal-values.yaml')],
          '--set',
          [
            `kafka.brokers=${listener.brokers()}`,
            'kafka.tls.enabled=true',
            'kafka.tls.caSecret.name=kafka-ca',
            ...listener.set,
            'dapr.enabled=false',
            'gateway.enabled=false',
            'keda.hpaBehavior.scaleDown.stabilizationWindowSeconds=0',
            ...others,
          ].join(','),
        ]);
        const configMap = await api.get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${release}-lag-exporter`);
        const file = join(root, `targets-${listener.name}.yaml`);
        writeFileSync(file, configMap.data['targets.yaml'] ?? '');
        const target = (await readLagTargets(file)).find((t) => t.function === 'validate') as LagTarget;
        // Every topic validate reads exists (KEDA describes each trigger's), committed at its end;
        // then a backlog of 1.5 thresholds on the first: more than one replica, under the cap.
        await secured.createTopics(target.topics, 3);
        for (const t of target.topics) {
          // A topic just made may still answer "not the leader" for a moment: asked again until it settles.
          await settlesOn(
            `${t}'s offsets committed at its end`,
            async () => {
              try {
                const latest = await secured.admin.fetchTopicOffsets(t);
                await secured.admin.setOffsets({
                  groupId: target.consumerGroup,
                  topic: t,
                  partitions: latest.map((p) => ({ partition: p.partition, offset: p.high })),
                });
                return true;
              } catch {
                return false;
              }
            },
            true,
            30_000,
          );
        }
        const topic = target.topics[0] as string;
        const backlog = Math.round(target.lagThreshold * 1.5);
        await secured.producer.send({ topic, acks: -1, messages: Array.from({ length: backlog }, (_, i) => ({ value: `lag-${i}` })) });

        const scaledObject = `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/validate`;
        await settlesOn(
          `validate's Ready condition over ${listener.name}`,
          async () => (await api.get<ScaledObject>(scaledObject)).status?.conditions?.find((c) => c.type === 'Ready')?.status,
          'True',
          90_000,
        );
        const deployment = `/apis/apps/v1/namespaces/${ns}/deployments/validate`;
        const replicas = async () => (await api.get<{ spec: { replicas: number } }>(deployment)).spec.replicas;
        const predicted = await readFunctionLag(secured.admin, target, await replicas());
        const metric = predicted.topics[0]?.trigger?.metric;
        // The whole backlog, or partitions × threshold when the topic has fewer partitions than that needs.
        expect(metric).toBeGreaterThan(0);
        const reported = async () => {
          const hpa = await api.get<Hpa>(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/keda-hpa-validate`);
          const { metric: m } = (hpa.spec.metrics[0] as Hpa['spec']['metrics'][number]).external;
          const selector = Object.entries(m.selector.matchLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          const list = await api.get<{ items: { value: string }[] }>(
            `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/${m.name}?labelSelector=${encodeURIComponent(selector)}`,
          );
          return list.items.map((i) => quantityValue(i.value));
        };
        await settlesOn(`the lag KEDA reads over ${listener.name}`, reported, [metric]);
        await settlesOn(`validate's replicas over ${listener.name}`, replicas, predicted.decision?.replicas);
        // The broker is the run's: no backlog of this test's messages for the next file that reads these topics.
        await secured.admin.deleteTopics({ topics: target.topics });
      } finally {
        helm(['uninstall', release, '--namespace', ns, '--ignore-not-found', '--wait', '--kubeconfig', cluster.kubeconfig]);
        await secured.close();
      }
    });
  }
});
