import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { derivedPaths } from '../../keda/generated-files.ts';
import {
  desiredReplicasOf,
  type KafkaTriggerSettings,
  kafkaTriggerMetricOf,
  type OffsetResetPolicy,
  type PartitionOffsets,
} from '../../keda/kafka-scaler-formula.ts';
import { startKeda, stopKeda } from '../../local-dev/services/keda.ts';
import { type KubeApi, kubeApi } from '../../local-dev/services/kube-api.ts';
import { type KubernetesService, startKubernetes, stopKubernetes } from '../../local-dev/services/kubernetes.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { helm } from '../support/helm.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';
import { helmOn } from '../support/kubernetes.ts';

/**
 * The real KEDA v2.21 (operator + metrics adapter, local-dev/services/keda.ts) reads the
 * real lag of one function's consumer group on the loopback Kafka, through the chart's
 * own ScaledObject, and the real HPA of kube-controller-manager scales that function's
 * Deployment. What keda/kafka-scaler-formula.ts predicts from the same offsets must be
 * what KEDA reports and what the HPA sets. No kubelet: the Pods stay Pending and consume
 * nothing, so the lag the test makes is the lag KEDA sees.
 */
const { kafkaBrokers } = inject('services');
const chartDir = join(repoRoot, 'charts', 'flowline');
const namespace = 'flowline-keda';

interface ChartFunction {
  name: string;
  consumerGroup: string;
  subscribes: string[];
  offsetResetPolicy: OffsetResetPolicy;
  scaling: { lagThreshold: number; activationLagThreshold: number };
}
const functions = (load(readFileSync(join(repoRoot, derivedPaths.chartFunctions), 'utf8')) as { functions: ChartFunction[] }).functions;
const fn = functions.find((f) => f.name === 'alarm') as ChartFunction;
const settings: KafkaTriggerSettings = { ...fn.scaling, offsetResetPolicy: fn.offsetResetPolicy };

let cluster: KubernetesService;
let api: KubeApi;
let kafka: TestKafka;
let kedaStarted = false;

/** What the chart's ScaledObject says, as the API server stores it. */
interface ScaledObject {
  spec: { minReplicaCount: number; maxReplicaCount: number };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; hpaName?: string };
}
interface Hpa {
  spec: { metrics: { external: { metric: { name: string; selector: { matchLabels: Record<string, string> } } } }[] };
  status: { desiredReplicas?: number; currentReplicas?: number };
}

const scaledObjectPath = `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/${fn.name}`;
const deploymentPath = `/apis/apps/v1/namespaces/${namespace}/deployments/${fn.name}`;

/** A resource.Quantity as the API serialises it ("1500", "2k", "1500m"). */
function quantityValue(q: string): number {
  const match = /^([0-9.]+)(m|k|M|G)?$/.exec(q);
  if (!match) throw new Error(`not a quantity this test reads: ${q}`);
  const scale = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9 }[match[2] as 'm' | 'k' | 'M' | 'G'] ?? 1;
  return Number(match[1]) * scale;
}

/** Each subscribed topic's partitions with the group's committed offsets, read from the broker now. */
async function offsetsOf(topic: string): Promise<PartitionOffsets[]> {
  const latest = await kafka.admin.fetchTopicOffsets(topic);
  const committed = await kafka.committed(fn.consumerGroup, topic);
  return latest.map((p) => {
    const c = committed.get(p.partition) ?? -1;
    return { partition: p.partition, latestOffset: Number(p.high), committedOffset: c < 0 ? undefined : c };
  });
}

/** Commits the group at the end of every subscribed topic: no lag. */
async function commitAtEnd(): Promise<void> {
  for (const topic of fn.subscribes) {
    const latest = await kafka.admin.fetchTopicOffsets(topic);
    await kafka.admin.setOffsets({
      groupId: fn.consumerGroup,
      topic,
      partitions: latest.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  }
}

/** Polls until `read` gives `expected`; the failure names the last value seen. */
async function settlesOn<T>(what: string, read: () => Promise<T>, expected: T, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return last;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error(`${what} did not become ${JSON.stringify(expected)} within ${timeoutMs / 1000} s: last ${JSON.stringify(last)}`);
}

beforeAll(async () => {
  helm(['version']);
  cluster = await startKubernetes();
  api = kubeApi(cluster.credentials);
  kedaStarted = (await startKeda(cluster)).started; // builds KEDA on a machine's first run (minutes)
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(fn.subscribes, 3); // no-op for a topic that exists
  await commitAtEnd();
  // The chart clamps maxReplicaCount to a topic's partitions: give it the broker's real counts.
  const { topics } = await kafka.admin.fetchTopicMetadata({ topics: fn.subscribes });
  const partitions = topics.map((t) => `kafka.topicPartitions.${t.name.replaceAll('.', '\\.')}=${t.partitions.length}`);
  const others = functions.filter((f) => f.name !== fn.name).map((f) => `functions.overrides.${f.name}.enabled=false`);
  helmOn(cluster.kubeconfig, [
    'install',
    'flowline',
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
      // Kubernetes' default waits 5 minutes before scaling down; values shorten it, no template edit.
      'keda.hpaBehavior.scaleDown.stabilizationWindowSeconds=0',
      ...partitions,
      ...others,
    ].join(','),
  ]);
}, 1_800_000);

afterAll(async () => {
  await kafka?.close();
  if (process.env.FLOWLINE_KEEP_SERVICES === '1') return;
  if (cluster) helm(['uninstall', 'flowline', '--namespace', namespace, '--kubeconfig', cluster.kubeconfig]);
  if (kedaStarted) await stopKeda(cluster);
  if (cluster?.started) await stopKubernetes();
});

describe(`KEDA on ${fn.name}'s consumer lag`, () => {
  it('makes the chart’s ScaledObject Ready and creates its HPA', async () => {
    const ready = await settlesOn(
      'the ScaledObject Ready condition',
      async () => (await api.get<ScaledObject>(scaledObjectPath)).status?.conditions?.find((c) => c.type === 'Ready')?.status,
      'True',
      60_000,
    );
    expect(ready).toBe('True');
    const so = await api.get<ScaledObject>(scaledObjectPath);
    expect(so.status?.hpaName).toBe(`keda-hpa-${fn.name}`);
    const hpa = await api.get<Hpa>(`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/keda-hpa-${fn.name}`);
    expect(hpa.spec.metrics).toHaveLength(fn.subscribes.length);
  });

  it('reports the lag the formula predicts, and the HPA scales the Deployment to the predicted replicas', async () => {
    const so = await api.get<ScaledObject>(scaledObjectPath);
    const bounds = { minReplicas: so.spec.minReplicaCount, maxReplicas: so.spec.maxReplicaCount };
    // 1.5 × the threshold on the first topic: more than the minimum, less than the maximum.
    const backlog = Math.round(settings.lagThreshold * 1.5);
    const [topic] = fn.subscribes as [string];
    for (let sent = 0; sent < backlog; sent += 500) {
      const batch = Math.min(500, backlog - sent);
      await kafka.producer.send({ topic, acks: -1, messages: Array.from({ length: batch }, (_, i) => ({ value: `lag-${sent + i}` })) });
    }
    const triggers = await Promise.all(
      fn.subscribes.map(async (t) => ({ ...kafkaTriggerMetricOf(await offsetsOf(t), settings), lagThreshold: settings.lagThreshold })),
    );
    const predicted = desiredReplicasOf(triggers, bounds, 1);
    expect(triggers[0]?.totalLag).toBe(backlog);
    expect(predicted.replicas).toBeGreaterThan(bounds.minReplicas);
    expect(predicted.replicas).toBeLessThan(bounds.maxReplicas);

    const hpaPath = `/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers/keda-hpa-${fn.name}`;
    const hpa = await api.get<Hpa>(hpaPath);
    const reported = async () =>
      Promise.all(
        hpa.spec.metrics.map(async ({ external: { metric } }) => {
          const selector = Object.entries(metric.selector.matchLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
          const list = await api.get<{ items: { value: string }[] }>(
            `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${metric.name}?labelSelector=${encodeURIComponent(selector)}`,
          );
          return list.items.map((i) => quantityValue(i.value));
        }),
      );
    // The external metrics API (kube-apiserver → aggregation → KEDA's adapter → operator → Kafka).
    await settlesOn(
      'the external metric KEDA reports per trigger',
      reported,
      triggers.map((t) => [t.metric]),
    );
    await settlesOn(
      "the Deployment's spec.replicas",
      async () => (await api.get<{ spec: { replicas: number } }>(deploymentPath)).spec.replicas,
      predicted.replicas,
    );
    expect((await api.get<Hpa>(hpaPath)).status.desiredReplicas).toBe(predicted.replicas);
  });

  it('returns to the minimum once the group has committed the backlog away', async () => {
    await commitAtEnd();
    const so = await api.get<ScaledObject>(scaledObjectPath);
    const triggers = await Promise.all(
      fn.subscribes.map(async (t) => ({ ...kafkaTriggerMetricOf(await offsetsOf(t), settings), lagThreshold: settings.lagThreshold })),
    );
    const predicted = desiredReplicasOf(triggers, { minReplicas: so.spec.minReplicaCount, maxReplicas: so.spec.maxReplicaCount });
    expect(predicted.replicas).toBe(Math.max(1, so.spec.minReplicaCount));
    await settlesOn(
      "the Deployment's spec.replicas",
      async () => (await api.get<{ spec: { replicas: number } }>(deploymentPath)).spec.replicas,
      predicted.replicas,
    );
  });
});
