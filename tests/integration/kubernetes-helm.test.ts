import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedPaths } from '../../keda/generated-files.ts';
import { createOrReplace, type KubeApi, kubeApi, messageOf } from '../../keda/kube-api.ts';
import { type KubernetesService, startKubernetes, stopKubernetes } from '../../local-dev/services/kubernetes.ts';
import { kubernetesVersion } from '../../local-dev/services/kubernetes-binaries.ts';
import { applyCrds, daprCrds, deleteCrds, kedaCrds } from '../../local-dev/services/kubernetes-crds.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { chartWithFunctions } from '../support/chart-copy.ts';
import { helm, type KubeObject } from '../support/helm.ts';
import { helmOn, releaseObjects, resourcePaths } from '../support/kubernetes.ts';

/**
 * `helm install` of charts/flowline against a real kube-apiserver v1.36 with
 * kube-controller-manager (local-dev/services/kubernetes.ts), read back through the API.
 * Real: the API server's validation (built-in schemas, the KEDA and Dapr CRDs' OpenAPI
 * schemas), helm's release handling, the Deployment → ReplicaSet → Pod controllers.
 * Not here: a kubelet or CNI, so Pods are created and stay Pending; no KEDA operator
 * (kubernetes-keda.test.ts runs it).
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const valuesFile = (name: string) => join(chartDir, 'ci', `${name}-values.yaml`);
const functions = (load(readFileSync(join(repoRoot, derivedPaths.chartFunctions), 'utf8')) as { functions: { name: string }[] }).functions;

let cluster: KubernetesService;
let api: KubeApi;

beforeAll(async () => {
  helm(['version']); // builds helm on a machine's first run
  cluster = await startKubernetes(); // builds the control plane on a machine's first run (minutes)
  api = kubeApi(cluster.credentials);
  // A kept cluster (FLOWLINE_KEEP_SERVICES=1) still has the releases of the last run.
  const releases: [string, string][] = [
    ['plain', 'flowline-plain'],
    ['flowline', 'flowline'],
  ];
  for (const [release, namespace] of releases) {
    helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--ignore-not-found', '--wait']);
  }
}, 1_800_000);

afterAll(async () => {
  if (cluster?.started && process.env.FLOWLINE_KEEP_SERVICES !== '1') await stopKubernetes();
});

type Stored = KubeObject & { metadata: KubeObject['metadata'] & { uid?: string; resourceVersion?: string; generation?: number } };

/** Every object helm says it installed, as the API server now stores it. */
async function readBack(release: string, namespace: string): Promise<{ objects: KubeObject[]; stored: Stored[] }> {
  const objects = releaseObjects(cluster.kubeconfig, release, namespace);
  const pathOf = resourcePaths(api);
  const stored = await Promise.all(objects.map(async (o) => api.get<Stored>(await pathOf(o, namespace))));
  return { objects, stored };
}

/** Uninstalls a release and lists what of it the API server still has (after more than zero objects were there). */
async function uninstallLeaves(release: string, namespace: string): Promise<string[]> {
  const { objects } = await readBack(release, namespace);
  expect(objects.length).toBeGreaterThan(0);
  helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '60s']);
  const pathOf = resourcePaths(api);
  const left = [];
  for (const o of objects) {
    const res = await api.request('GET', await pathOf(o, namespace));
    if (res.status !== 404) left.push(`${o.kind}/${o.metadata.name}: ${res.status}`);
  }
  return left;
}

const install = (release: string, namespace: string, args: string[]) =>
  helmOn(cluster.kubeconfig, ['install', release, chartDir, '--namespace', namespace, '--create-namespace', ...args]);

it(`is a kube-apiserver that says it is ${kubernetesVersion}`, async () => {
  // helm checks the chart's kubeVersion against this; an unstamped build says v0.0.0-master.
  expect((await api.get<{ gitVersion: string }>('/version')).gitVersion).toBe(kubernetesVersion);
});

it('refuses values the schema does not allow before anything reaches the cluster, naming the key', () => {
  expect(() => install('refused', 'flowline-refused', ['--values', valuesFile('minimal'), '--set', 'keda.enable=false'])).toThrow(
    /additional properties 'enable' not allowed/,
  );
  expect(helm(['status', 'refused', '--namespace', 'flowline-refused', '--kubeconfig', cluster.kubeconfig]).stderr).toContain(
    'release: not found',
  );
});

describe('helm install with KEDA and Dapr off', () => {
  const release = 'plain';
  const namespace = 'flowline-plain';

  it('is accepted: every object of the release is stored, and helm calls it deployed', async () => {
    install(release, namespace, ['--values', valuesFile('keda-off'), '--set', 'dapr.enabled=false']);
    const status = JSON.parse(helmOn(cluster.kubeconfig, ['status', release, '--namespace', namespace, '--output', 'json'])) as {
      info: { status: string };
    };
    expect(status.info.status).toBe('deployed');
    const { objects, stored } = await readBack(release, namespace);
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining(functions.map((f) => f.name)),
    );
    expect(objects.filter((o) => o.apiVersion.startsWith('keda.sh/') || o.apiVersion.startsWith('dapr.io/'))).toEqual([]);
    expect(stored.map((o) => [o.kind, o.metadata.name, o.metadata.annotations?.['meta.helm.sh/release-name']])).toEqual(
      objects.map((o) => [o.kind, o.metadata.name, release]),
    );
  });

  it('gets its Pods made by the controller manager (and left Pending: there is no kubelet)', async () => {
    const deadline = Date.now() + 60_000;
    for (const fn of functions) {
      const deployment = await api.get<{ spec: { replicas: number; selector: { matchLabels: Record<string, string> } } }>(
        `/apis/apps/v1/namespaces/${namespace}/deployments/${fn.name}`,
      );
      const selector = Object.entries(deployment.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      let pods: { status: { phase: string } }[] = [];
      while (pods.length < deployment.spec.replicas && Date.now() < deadline) {
        pods = (await api.get<{ items: typeof pods }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`))
          .items;
        if (pods.length < deployment.spec.replicas) await new Promise((r) => setTimeout(r, 250));
      }
      expect({ [fn.name]: pods.map((p) => p.status.phase) }).toEqual({ [fn.name]: Array(deployment.spec.replicas).fill('Pending') });
    }
  });

  it('is removed by helm uninstall: none of its objects is left', async () => {
    expect(await uninstallLeaves(release, namespace)).toEqual([]);
  });
});

describe('helm install with KEDA and Dapr on (minimal values)', () => {
  const release = 'flowline';
  const namespace = 'flowline';
  let notes = '';

  it('is refused while the KEDA and Dapr CRDs are not installed, naming the kinds', async () => {
    await deleteCrds(api, [...kedaCrds(), ...daprCrds()]); // a kept cluster (FLOWLINE_KEEP_SERVICES=1) may have them
    expect(() => install(release, namespace, ['--values', valuesFile('minimal')])).toThrow(
      /no matches for kind "(ScaledObject|Component|Subscription|Configuration|Resiliency)"/,
    );
  });

  it('is accepted once they are: every ScaledObject, Dapr Component and Subscription is stored', async () => {
    await applyCrds(api, [...kedaCrds(), ...daprCrds()]);
    notes = install(release, namespace, ['--values', valuesFile('minimal')]);
    const { objects, stored } = await readBack(release, namespace);
    const count = (kind: string) => stored.filter((o) => o.kind === kind).length;
    expect(count('ScaledObject')).toBe(functions.length);
    expect(count('Component')).toBeGreaterThanOrEqual(1);
    expect(count('Subscription')).toBeGreaterThanOrEqual(functions.length);
    expect(stored.map((o) => [o.kind, o.metadata.name, typeof o.metadata.uid])).toEqual(
      objects.map((o) => [o.kind, o.metadata.name, 'string']),
    );
  });

  it('says in its notes that a Secret its Deployments reference is missing, and stops saying it once it exists', async () => {
    const missing = `! Secret flowline-postgres (postgres) is not in namespace ${namespace}: create it with the key uri.`;
    expect(notes).toContain(missing);
    await createOrReplace(api, `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flowline-postgres' },
      stringData: { url: 'postgres://flowline@db:5432/flowline' }, // the wrong key
    });
    const upgrade = () =>
      helmOn(cluster.kubeconfig, ['upgrade', release, chartDir, '--namespace', namespace, '--values', valuesFile('minimal')]);
    expect(upgrade()).toContain('! Secret flowline-postgres (postgres) has no key uri: add it.');
    await createOrReplace(api, `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flowline-postgres' },
      stringData: { uri: 'postgres://flowline@db:5432/flowline' },
    });
    expect(upgrade()).toContain('! Secret flowline-service-token (serviceAuth) is not in namespace');
    await createOrReplace(api, `/api/v1/namespaces/${namespace}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flowline-service-token' },
      stringData: { token: 'a-token-of-at-least-16-characters' },
    });
    expect(upgrade()).not.toContain('! Secret');
  });

  it('takes a new function with helm upgrade: its objects appear, and an existing object changes only if it names it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flowline-upgrade-'));
    try {
      // `flowline new function` + `npm run generate`, in a copy of the chart and the manifests.
      const upgraded = await chartWithFunctions(root, {
        'wellhead-trend': { subscribes: ['scada.telemetry.validated'], needs: ['postgres'] },
      });
      const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
      // generation moves with the spec only (controllers write status); objects without one have no status writer here.
      const version = (o: Stored) => o.metadata.generation ?? o.metadata.resourceVersion;
      const before = new Map((await readBack(release, namespace)).stored.map((o) => [key(o), version(o)]));
      helmOn(cluster.kubeconfig, ['upgrade', release, upgraded, '--namespace', namespace, '--values', valuesFile('minimal')]);
      const after = (await readBack(release, namespace)).stored;
      const added = after.filter((o) => !before.has(key(o))).map(key);
      expect(added.sort()).toEqual(
        [
          'Deployment/wellhead-trend',
          'PodDisruptionBudget/wellhead-trend',
          'ScaledObject/wellhead-trend',
          'Service/wellhead-trend',
          'Subscription/wellhead-trend-scada-telemetry-validated',
        ].sort(),
      );
      expect([...before.keys()].filter((k) => !after.some((o) => key(o) === k))).toEqual([]);
      const changed = after.filter((o) => before.has(key(o)) && before.get(key(o)) !== version(o));
      expect(changed.length).toBeGreaterThan(0); // the Dapr components' scopes, the lag exporter's targets…
      // …and the lag exporter's pod template, which carries a checksum of those targets so it restarts to read them.
      expect(changed.filter((o) => !JSON.stringify(o).includes('wellhead-trend')).map(key)).toEqual(['Deployment/flowline-lag-exporter']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('has its ScaledObjects checked by the real CRD schema: a misspelt field or a wrong type is refused', async () => {
    const base = `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects`;
    const so = (spec: Record<string, unknown>) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'schema-probe' },
      spec: { scaleTargetRef: { name: 'alarm' }, triggers: [{ type: 'kafka', metadata: {} }], ...spec },
    });
    const refused = await api.request('POST', base, so({ maxReplicaCount: 'five' }));
    expect(refused.status).toBe(422);
    const misspelt = await api.request('POST', `${base}?fieldValidation=Strict`, so({ maxReplicas: 5 }));
    expect([misspelt.status, messageOf(misspelt.body)]).toEqual([400, expect.stringContaining('unknown field "spec.maxReplicas"')]);
  });

  it('is removed by helm uninstall, new function, ScaledObjects and Dapr objects included', async () => {
    expect(await uninstallLeaves(release, namespace)).toEqual([]);
  });
});
