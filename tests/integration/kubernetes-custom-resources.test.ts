import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicSettings } from '../../contracts/topic-settings.ts';
import { createOrReplace, type KubeApi, kubeApi, messageOf } from '../../keda/kube-api.ts';
import { type KubernetesService, startKubernetes, stopKubernetes } from '../../local-dev/services/kubernetes.ts';
import { applyCrds, daprCrds, kedaCrds } from '../../local-dev/services/kubernetes-crds.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { prometheusOperatorCrds, prometheusOperatorVersion } from '../../local-dev/services/prometheus-operator-crds.ts';
import { strimziCrds, strimziVersion } from '../../local-dev/services/strimzi-crds.ts';
import { helm, type KubeObject, renderChart } from '../support/helm.ts';
import { helmOn, releaseObjects, resourcePaths } from '../support/kubernetes.ts';

/**
 * The chart's objects for other operators — Strimzi KafkaTopics, the Prometheus
 * Operator's ServiceMonitor and PrometheusRule — sent to a real kube-apiserver
 * (local-dev/services/kubernetes.ts) that serves those projects' own CRDs: Strimzi
 * 0.45's KafkaTopic, written by its CRD generator from its API model, and the Prometheus
 * Operator's from its module. Real: the API server's validation of the CRD schemas (strict
 * field validation: a field the schema does not declare is an error, not pruned silently)
 * and helm's release handling. Not here: the Strimzi Topic Operator or a Prometheus, so
 * no topic is created and no rule is evaluated (chart-alerts.test.ts runs promtool).
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const minimal = join(chartDir, 'ci', 'minimal-values.yaml');
const release = 'operators';
const namespace = 'flowline-operators';
const set = [
  'kafkaTopics.strimzi.enabled=true',
  'kafkaTopics.strimzi.cluster=plant',
  'metrics.serviceMonitor.enabled=true',
  'metrics.prometheusRule.enabled=true',
];
const custom = (o: KubeObject) => ['KafkaTopic', 'ServiceMonitor', 'PrometheusRule'].includes(o.kind);

let cluster: KubernetesService;
let api: KubeApi;

beforeAll(async () => {
  helm(['version']); // builds helm on a machine's first run
  cluster = await startKubernetes(); // builds the control plane on a machine's first run (minutes)
  api = kubeApi(cluster.credentials);
  // A kept cluster (FLOWLINE_KEEP_SERVICES=1) still has the release, and the KafkaTopics it keeps, of the last run.
  helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--ignore-not-found', '--wait']);
  await api.request('DELETE', `/apis/kafka.strimzi.io/v1beta2/namespaces/${namespace}/kafkatopics`);
  await applyCrds(api, [...kedaCrds(), ...daprCrds(), ...strimziCrds(), ...prometheusOperatorCrds()]);
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}, 1_800_000);

afterAll(async () => {
  if (cluster?.started && process.env.FLOWLINE_KEEP_SERVICES !== '1') await stopKubernetes();
});

/** The collection an object is created in (its path without its name). */
const collectionOf = async (o: KubeObject) => (await resourcePaths(api)(o, namespace)).replace(/\/[^/]+$/, '');

describe(`KafkaTopics (Strimzi ${strimziVersion}), ServiceMonitor and PrometheusRule (Prometheus Operator ${prometheusOperatorVersion})`, () => {
  it('are each accepted as rendered with strict field validation: no field of theirs would be dropped', async () => {
    const objects = renderChart(chartDir, [minimal], { release, namespace, set }).filter(custom);
    expect(objects.filter((o) => o.kind === 'KafkaTopic')).toHaveLength(2 * Object.keys(topicSettings).length);
    expect(objects.filter((o) => o.kind !== 'KafkaTopic').map((o) => o.kind)).toEqual(['PrometheusRule', 'ServiceMonitor']);
    const answers = [];
    for (const o of objects) {
      const res = await api.request('POST', `${await collectionOf(o)}?dryRun=All&fieldValidation=Strict`, o);
      answers.push(`${o.kind}/${o.metadata.name}: ${res.status}${res.status >= 300 ? ` ${messageOf(res.body)}` : ''}`);
    }
    expect(answers).toEqual(objects.map((o) => `${o.kind}/${o.metadata.name}: 201`));
  });

  it('are refused by the same schemas when wrong: no partitions, a misspelt field', async () => {
    const base = `/apis/kafka.strimzi.io/v1beta2/namespaces/${namespace}/kafkatopics`;
    const topic = (spec: Record<string, unknown>) => ({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: { name: 'schema-probe', labels: { 'strimzi.io/cluster': 'plant' } },
      spec: { partitions: 3, replicas: 3, ...spec },
    });
    const none = await api.request('POST', `${base}?dryRun=All`, topic({ partitions: 0 }));
    expect([none.status, messageOf(none.body)]).toEqual([422, expect.stringContaining('spec.partitions')]);
    const misspelt = await api.request('POST', `${base}?dryRun=All&fieldValidation=Strict`, topic({ retention: '7d' }));
    expect([misspelt.status, messageOf(misspelt.body)]).toEqual([400, expect.stringContaining('unknown field "spec.retention"')]);
    const rules = `/apis/monitoring.coreos.com/v1/namespaces/${namespace}/prometheusrules`;
    const rule = await api.request('POST', `${rules}?dryRun=All`, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'schema-probe' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0', for: '5 minutes' }] }] },
    });
    expect([rule.status, messageOf(rule.body)]).toEqual([422, expect.stringContaining('for')]);
  });

  it('are installed by helm install with the rest of the release, and stored as rendered (CRD defaults added)', async () => {
    helmOn(cluster.kubeconfig, [
      'install',
      release,
      chartDir,
      '--namespace',
      namespace,
      '--values',
      minimal,
      ...set.flatMap((s) => ['--set', s]),
    ]);
    const objects = releaseObjects(cluster.kubeconfig, release, namespace).filter(custom);
    const pathOf = resourcePaths(api);
    const stored = await Promise.all(objects.map(async (o) => api.get<KubeObject & { spec: unknown }>(await pathOf(o, namespace))));
    // As rendered, plus the defaults the CRDs declare (a relabeling's action: replace).
    expect(stored.map((o) => [o.kind, o.metadata.name, o.spec])).toMatchObject(objects.map((o) => [o.kind, o.metadata.name, o.spec]));
  });

  it('leave the KafkaTopics on helm uninstall (their deletion would delete the topics), and nothing else', async () => {
    const objects = releaseObjects(cluster.kubeconfig, release, namespace).filter(custom);
    helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '60s']);
    const pathOf = resourcePaths(api);
    const left = [];
    for (const o of objects) if ((await api.request('GET', await pathOf(o, namespace))).status === 200) left.push(o.kind);
    expect(left).toEqual(objects.filter((o) => o.kind === 'KafkaTopic').map(() => 'KafkaTopic'));
  });
});

describe('helm install with the production values (SASL/SCRAM over TLS, Secrets, Ingress, monitoring, KafkaTopics)', () => {
  const production = join(chartDir, 'ci', 'production-values.yaml');
  const prodRelease = 'production';
  const prodNamespace = 'flowline-production';
  afterAll(() => {
    helmOn(cluster.kubeconfig, [
      'uninstall',
      prodRelease,
      '--namespace',
      prodNamespace,
      '--ignore-not-found',
      '--wait',
      '--timeout',
      '60s',
    ]);
  });

  it('is accepted whole by the API server, every object stored, and its notes name each Secret still to create', async () => {
    helmOn(cluster.kubeconfig, ['uninstall', prodRelease, '--namespace', prodNamespace, '--ignore-not-found', '--wait']);
    // The namespaces a platform team has: the release's, and monitoring's (where the values put the dashboards).
    for (const name of [prodNamespace, 'monitoring'])
      await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const extra = ['kafkaTopics.strimzi.enabled=true', 'kafkaTopics.strimzi.cluster=plant', 'metrics.prometheusRule.enabled=true'];
    const notes = helmOn(cluster.kubeconfig, [
      'install',
      prodRelease,
      chartDir,
      '--namespace',
      prodNamespace,
      '--values',
      production,
      ...extra.flatMap((x) => ['--set', x]),
    ]);
    const objects = releaseObjects(cluster.kubeconfig, prodRelease, prodNamespace);
    const pathOf = resourcePaths(api);
    const missing = [];
    for (const o of objects) {
      const res = await api.request('GET', await pathOf(o, prodNamespace));
      if (res.status !== 200) missing.push(`${o.kind}/${o.metadata.name}: ${res.status}`);
    }
    expect(missing).toEqual([]);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'ScaledObject',
      'TriggerAuthentication',
      'Ingress',
      'NetworkPolicy',
      'ServiceMonitor',
      'PrometheusRule',
      'KafkaTopic',
    ]) {
      expect(kinds, `the production install renders a ${kind}`).toContain(kind);
    }
    // The Secrets production values point at are the platform team's to create: each is named.
    for (const secret of ['flowline-kafka-user', 'kafka-cluster-ca', 'flowline-redis', 'flowline-postgres', 'flowline-service-token']) {
      expect(notes).toContain(`! Secret ${secret} (`);
    }
  });
});
