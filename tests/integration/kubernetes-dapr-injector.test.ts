import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeApi, kubeApi } from '../../keda/kube-api.ts';
import { installDaprControlPlane } from '../../local-dev/services/dapr-control-plane-binaries.ts';
import {
  type DaprInjectorService,
  daprSystemNamespace,
  sidecarImage,
  startDaprInjector,
  stopDaprInjector,
} from '../../local-dev/services/dapr-injector.ts';
import { type KubernetesService, startKubernetes, stopKubernetes } from '../../local-dev/services/kubernetes.ts';
import { applyCrds, daprCrds, kedaCrds } from '../../local-dev/services/kubernetes-crds.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { helm, type KubeObject } from '../support/helm.ts';
import { helmOn, releaseObjects } from '../support/kubernetes.ts';

/**
 * What Dapr's real sidecar injector (v1.16, with the Sentry it takes its certificate from:
 * local-dev/services/dapr-injector.ts) makes of the chart's Pods. `helm install` of
 * charts/flowline (minimal values, Dapr on); kube-controller-manager's ReplicaSets create the
 * Pods, each creation goes through the injector's admission webhook, and the Pods are stored
 * as mutated (they stay Pending: no kubelet). Each function's Pod must carry one daprd
 * container configured from the chart's annotations; a Deployment without them gets none.
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const release = 'injected';
const namespace = 'flowline-injected';

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { seccompProfile?: { type: string } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
type Deployment = KubeObject & {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
  };
};
type Pod = KubeObject & { spec: PodSpec };

let cluster: KubernetesService;
let injector: DaprInjectorService;
let api: KubeApi;

beforeAll(async () => {
  helm(['version']); // builds helm on a machine's first run
  // Sentry and the injector are built (a machine's first run: minutes, the event loop blocked)
  // before the control plane starts: a first run once found it stopped under it at the end of that build.
  installDaprControlPlane();
  cluster = await startKubernetes(); // builds the control plane on a machine's first run (minutes)
  api = kubeApi(cluster.credentials);
  injector = await startDaprInjector(cluster);
  await applyCrds(api, [...kedaCrds(), ...daprCrds()]);
  // A kept cluster (FLOWLINE_KEEP_SERVICES=1) still has the release of the last run.
  helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--ignore-not-found', '--wait']);
}, 1_800_000);

afterAll(async () => {
  if (process.env.FLOWLINE_KEEP_SERVICES === '1') return;
  if (injector?.started) await stopDaprInjector(cluster);
  if (cluster?.started) await stopKubernetes();
});

/** daprd's command line as flag → value ('' for a flag given alone, like --enable-mtls). */
function flagsOf(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = args[i + 1];
    if (inline !== undefined) flags[name] = inline;
    else if (next !== undefined && !next.startsWith('--')) {
      flags[name] = next;
      i++;
    } else flags[name] = '';
  }
  return flags;
}

const selectorOf = (d: Deployment) =>
  Object.entries(d.spec.selector.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The Pods of each Deployment once the controller manager has made all of them (within a minute). */
async function podsOf(deployments: readonly Deployment[]): Promise<Map<string, Pod[]>> {
  const pods = new Map<string, Pod[]>();
  const deadline = Date.now() + 60_000;
  for (const d of deployments) {
    const want = d.spec.replicas ?? 1;
    let found: Pod[] = [];
    for (;;) {
      found = (await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selectorOf(d))}`))
        .items;
      if (found.length >= want || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    pods.set(d.metadata.name, found);
  }
  return pods;
}

/** The chart's dapr.io annotations (charts/flowline/templates/_functions.tpl) and what the injector makes of each. */
const checkedAnnotations = [
  'dapr.io/enabled',
  'dapr.io/app-id',
  'dapr.io/app-port',
  'dapr.io/app-protocol',
  'dapr.io/config',
  'dapr.io/log-level',
  'dapr.io/log-as-json',
  'dapr.io/enable-metrics',
  'dapr.io/metrics-port',
  'dapr.io/enable-app-health-check',
  'dapr.io/app-health-check-path',
  'dapr.io/graceful-shutdown-seconds',
  'dapr.io/sidecar-cpu-request',
  'dapr.io/sidecar-memory-request',
  'dapr.io/sidecar-memory-limit',
  'dapr.io/sidecar-seccomp-profile-type',
  'dapr.io/app-token-secret',
  'dapr.io/api-token-secret',
] as const;

describe('helm install with Dapr on, the real sidecar injector admitting the Pods', () => {
  let deployments: Deployment[] = [];
  let daprConfigName = '';
  let pods = new Map<string, Pod[]>();
  const annotated = (d: Deployment) => d.spec.template.metadata.annotations?.['dapr.io/enabled'] === 'true';

  it('is installed, and the controller manager makes every Pod of every Deployment', async () => {
    helmOn(cluster.kubeconfig, [
      'install',
      release,
      chartDir,
      '--namespace',
      namespace,
      '--create-namespace',
      '--values',
      join(chartDir, 'ci', 'minimal-values.yaml'),
    ]);
    const objects = releaseObjects(cluster.kubeconfig, release, namespace);
    deployments = objects.filter((o): o is Deployment => o.kind === 'Deployment');
    daprConfigName = objects.find((o) => o.kind === 'Configuration' && o.apiVersion.startsWith('dapr.io/'))?.metadata.name ?? '';
    expect(daprConfigName).not.toBe('');
    // Both kinds are there: the functions (annotated) and the gateway and lag exporter (not).
    expect(deployments.filter(annotated).length).toBeGreaterThan(0);
    expect(deployments.filter((d) => !annotated(d)).length).toBeGreaterThan(0);
    pods = await podsOf(deployments);
    expect(Object.fromEntries([...pods].map(([name, list]) => [name, list.length]))).toEqual(
      Object.fromEntries(deployments.map((d) => [d.metadata.name, d.spec.replicas ?? 1])),
    );
  });

  it('gives each Pod of a function exactly one daprd container, configured from the chart’s annotations', () => {
    const functions = deployments.filter(annotated);
    for (const d of functions) {
      const template = d.spec.template;
      const a = template.metadata.annotations ?? {};
      for (const pod of pods.get(d.metadata.name) ?? []) {
        const names = pod.spec.containers.map((c) => c.name);
        // The chart's own containers first, unchanged in number; daprd appended once.
        expect({ [pod.metadata.name]: names }).toEqual({ [pod.metadata.name]: [...template.spec.containers.map((c) => c.name), 'daprd'] });
        const daprd = pod.spec.containers.find((c) => c.name === 'daprd') as Container;
        const app = pod.spec.containers[0] as Container;
        const flags = flagsOf(daprd.args ?? []);
        expect({ pod: pod.metadata.name, image: daprd.image, ...flags }).toMatchObject({
          pod: pod.metadata.name,
          image: sidecarImage,
          mode: 'kubernetes',
          'app-id': d.metadata.name,
          // The port the function's container listens on, as the chart says it does.
          'app-port': String(app.ports?.[0]?.containerPort),
          'app-protocol': a['dapr.io/app-protocol'],
          config: daprConfigName,
          'log-level': a['dapr.io/log-level'],
          'log-as-json': '',
          'enable-metrics': '',
          'metrics-port': a['dapr.io/metrics-port'],
          'enable-app-health-check': '',
          'app-health-check-path': a['dapr.io/app-health-check-path'],
          'dapr-graceful-shutdown-seconds': a['dapr.io/graceful-shutdown-seconds'],
          // daprsystem has mTLS on: the sidecar asks Sentry for its identity, at Sentry's Service.
          'enable-mtls': '',
          'sentry-address': `dapr-sentry.${daprSystemNamespace}.svc.cluster.local:443`,
        });
        // Every dapr.io annotation the chart sets is one checked here: a new one needs its check.
        expect(
          Object.keys(a)
            .filter((k) => k.startsWith('dapr.io/'))
            .sort(),
        ).toEqual([...checkedAnnotations].sort());
        expect(a['dapr.io/app-id']).toBe(flags['app-id']);
        expect(a['dapr.io/app-port']).toBe(flags['app-port']);
        expect(a['dapr.io/config']).toBe(daprConfigName);
        expect({ resources: daprd.resources, seccomp: daprd.securityContext?.seccompProfile?.type }).toEqual({
          resources: {
            requests: { cpu: a['dapr.io/sidecar-cpu-request'], memory: a['dapr.io/sidecar-memory-request'] },
            limits: { memory: a['dapr.io/sidecar-memory-limit'] },
          },
          seccomp: a['dapr.io/sidecar-seccomp-profile-type'],
        });
        // The tokens: the sidecar sends the app its app token and demands the API token, both from
        // the Secrets the annotations name (key "token"), which the app holds too.
        const secretOf = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
        expect(secretOf(daprd, 'APP_API_TOKEN')).toEqual({ name: a['dapr.io/app-token-secret'], key: 'token' });
        expect(secretOf(daprd, 'DAPR_API_TOKEN')).toEqual({ name: a['dapr.io/api-token-secret'], key: 'token' });
        expect(secretOf(app, 'APP_API_TOKEN')).toEqual(secretOf(daprd, 'APP_API_TOKEN'));
        expect(secretOf(app, 'DAPR_API_TOKEN')).toEqual(secretOf(daprd, 'DAPR_API_TOKEN'));
        // The trust anchors are the root of the Sentry that signed the injector's own certificate.
        expect(daprd.env?.find((e) => e.name === 'DAPR_TRUST_ANCHORS')?.value?.trim()).toBe(injector.trustAnchors.trim());
      }
    }
  });

  it('leaves the Pods of a Deployment without Dapr annotations as the chart made them', () => {
    for (const d of deployments.filter((d) => !annotated(d))) {
      for (const pod of pods.get(d.metadata.name) ?? []) {
        expect({ [pod.metadata.name]: pod.spec.containers.map((c) => c.name) }).toEqual({
          [pod.metadata.name]: d.spec.template.spec.containers.map((c) => c.name),
        });
        expect(pod.spec.initContainers ?? []).toEqual(d.spec.template.spec.initContainers ?? []);
      }
    }
  });

  it('counts one daprd per function Pod and none elsewhere in the namespace', async () => {
    const all = (await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods`)).items;
    const sidecars = all.flatMap((p) => p.spec.containers.filter((c) => c.name === 'daprd').map(() => p.metadata.name));
    const functionPods = deployments.filter(annotated).flatMap((d) => (pods.get(d.metadata.name) ?? []).map((p) => p.metadata.name));
    expect(sidecars.sort()).toEqual(functionPods.sort());
    expect(all.length).toBe(deployments.reduce((n, d) => n + (d.spec.replicas ?? 1), 0));
  });

  it('is removed by helm uninstall', () => {
    helmOn(cluster.kubeconfig, ['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '60s']);
    expect(helm(['status', release, '--namespace', namespace, '--kubeconfig', cluster.kubeconfig]).stderr).toContain('release: not found');
  });
});
