import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOrReplace, type KubeApi, kubeApi } from '../../keda/kube-api.ts';
import { installGoBinaries, requiredVersion } from './go-build.ts';
import type { KubernetesService } from './kubernetes.ts';
import { applyCrds, kedaCrds } from './kubernetes-crds.ts';
import { makeCa, makeLeaf } from './kubernetes-pki.ts';
import { logsDir, repoRoot, stateDir } from './paths.ts';
import { envPort, isAlive, log, portOpen, readPid, ServiceError, startDaemon, stopDaemon, waitUntilReady } from './process.ts';

const moduleDir = join(repoRoot, 'local-dev', 'keda');
export const kedaVersion = requiredVersion(moduleDir, 'github.com/kedacore/keda/v2');

/** The namespace KEDA's own objects live in, as in its release manifests. */
export const kedaNamespace = 'keda';

/**
 * KEDA's operator and metrics adapter, built once from local-dev/keda (a module apart
 * from local-dev/kubernetes: their dependency versions differ) and cached.
 * Cold on 2 cores: 8 min 40 s measured from an empty module cache (after the control plane's
 * build; 6 min 55 s with the modules already there); 290 MB of binaries.
 */
export function installKeda(): { operator: string; adapter: string } {
  const dir = installGoBinaries({
    moduleDir,
    name: `keda-${kedaVersion}`,
    binaries: { 'keda-operator': 'github.com/kedacore/keda/v2/cmd/operator', 'keda-adapter': 'github.com/kedacore/keda/v2/cmd/adapter' },
    ldflags: `-s -w -X github.com/kedacore/keda/v2/version.Version=${kedaVersion.replace(/^v/, '')}`,
    expect: 'about 7 minutes on 2 cores, 9 with the module download',
  });
  return { operator: join(dir, 'keda-operator'), adapter: join(dir, 'keda-adapter') };
}

/**
 * Ports: FLOWLINE_KEDA_OPERATOR_PORT (29666: the operator's gRPC metrics service; +1 its
 * health probes, +2 its /metrics), FLOWLINE_KEDA_ADAPTER_PORT (26444: the external
 * metrics API; +1 its /metrics).
 */
export interface KedaPorts {
  operator: number;
  adapter: number;
}

export const kedaPorts = (): KedaPorts => ({
  operator: envPort('FLOWLINE_KEDA_OPERATOR_PORT', 29666),
  adapter: envPort('FLOWLINE_KEDA_ADAPTER_PORT', 26444),
});

export interface KedaService {
  ports: KedaPorts;
  started: boolean;
}

const baseDir = join(stateDir, 'kubernetes', 'keda');
const certDir = join(baseDir, 'certs');
const processes = ['keda-adapter', 'keda-operator'] as const;
type Process = (typeof processes)[number];
const pidFile = (p: Process) => join(baseDir, `${p}.pid`);
const logFile = (p: Process) => join(logsDir, `${p}.log`);
const apiServicePath = '/apis/apiregistration.k8s.io/v1/apiservices';
const apiServiceName = 'v1beta1.external.metrics.k8s.io';
const adapterService = 'keda-metrics-apiserver';

/**
 * The operator↔adapter gRPC is mutual TLS from one folder (ca.crt, tls.crt, tls.key), as
 * KEDA's own cert rotation would write it; the same certificate serves the external
 * metrics API, which the aggregation layer reaches as <service>.<namespace>.svc.
 */
function ensureCerts(): string {
  const ca = join(certDir, 'ca.crt');
  if (existsSync(join(certDir, 'complete'))) return ca;
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  makeCa(ca, join(certDir, 'ca.key'), 'flowline-keda-ca');
  makeLeaf({
    cert: join(certDir, 'tls.crt'),
    key: join(certDir, 'tls.key'),
    caCert: ca,
    caKey: join(certDir, 'ca.key'),
    subject: '/CN=keda',
    usage: ['serverAuth', 'clientAuth'],
    altNames: ['IP:127.0.0.1', 'DNS:localhost', `DNS:${adapterService}.${kedaNamespace}.svc`],
  });
  writeFileSync(join(certDir, 'complete'), '');
  return ca;
}

/**
 * The aggregation layer finds the adapter through a Service; Endpoints may not hold
 * loopback addresses, an ExternalName may.
 */
async function registerAdapter(api: KubeApi, ports: KedaPorts, caFile: string): Promise<void> {
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: kedaNamespace } });
  await createOrReplace(api, `/api/v1/namespaces/${kedaNamespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: adapterService, namespace: kedaNamespace },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: ports.adapter }] },
  });
  await createOrReplace(api, apiServicePath, {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: apiServiceName },
    spec: {
      service: { name: adapterService, namespace: kedaNamespace, port: ports.adapter },
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      caBundle: readFileSync(caFile).toString('base64'),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
}

const waitUntil = (what: Process, ready: () => Promise<boolean>, timeoutMs: number) =>
  waitUntilReady({ what, pid: readPid(pidFile(what)), logFile: logFile(what), ready, timeoutMs });

const apiServiceAvailable = async (api: KubeApi) => {
  const res = await api.request('GET', `${apiServicePath}/${apiServiceName}`);
  const conditions = (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
  return res.status === 200 && conditions.some((c) => c.type === 'Available' && c.status === 'True');
};

/**
 * Starts KEDA outside the cluster against the control plane of `cluster` (its CRDs
 * applied, the external metrics API registered), or reuses the one running.
 */
export async function startKeda(cluster: KubernetesService): Promise<KedaService> {
  const ports = kedaPorts();
  const api = kubeApi(cluster.credentials);
  if (processes.every((p) => isAlive(readPid(pidFile(p)))) && (await apiServiceAvailable(api).catch(() => false))) {
    return { ports, started: false };
  }
  await stopKeda(cluster);
  const taken: [string, number][] = [
    ['FLOWLINE_KEDA_OPERATOR_PORT', ports.operator],
    ['FLOWLINE_KEDA_OPERATOR_PORT (+1, health)', ports.operator + 1],
    ['FLOWLINE_KEDA_OPERATOR_PORT (+2, metrics)', ports.operator + 2],
    ['FLOWLINE_KEDA_ADAPTER_PORT', ports.adapter],
    ['FLOWLINE_KEDA_ADAPTER_PORT (+1, metrics)', ports.adapter + 1],
  ];
  for (const [name, port] of taken) {
    if (await portOpen(port)) throw new ServiceError(`port ${port} is taken by something that is not our KEDA: set ${name} to a free port`);
  }
  const binaries = installKeda();
  const caFile = ensureCerts();
  const env = {
    ...process.env,
    KUBECONFIG: cluster.kubeconfig,
    WATCH_NAMESPACE: '', // every namespace
    POD_NAMESPACE: kedaNamespace,
    KEDA_CLUSTER_OBJECT_NAMESPACE: kedaNamespace,
  };
  const kubeconfig = `--kubeconfig=${cluster.kubeconfig}`;
  try {
    await applyCrds(api, kedaCrds());
    await registerAdapter(api, ports, caFile);
    log(`starting KEDA ${kedaVersion} operator (gRPC metrics service on 127.0.0.1:${ports.operator})`);
    startDaemon({
      command: binaries.operator,
      args: [
        kubeconfig,
        '--leader-elect=false',
        `--metrics-service-bind-address=127.0.0.1:${ports.operator}`,
        `--health-probe-bind-address=127.0.0.1:${ports.operator + 1}`,
        `--metrics-bind-address=127.0.0.1:${ports.operator + 2}`,
        `--cert-dir=${certDir}`,
        '--enable-cert-rotation=false',
        '--zap-log-level=info',
      ],
      env,
      logFile: logFile('keda-operator'),
      pidFile: pidFile('keda-operator'),
    });
    await waitUntil(
      'keda-operator',
      async () => (await fetch(`http://127.0.0.1:${ports.operator + 1}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok,
      60_000,
    );
    log(`starting KEDA ${kedaVersion} metrics adapter on 127.0.0.1:${ports.adapter}`);
    startDaemon({
      command: binaries.adapter,
      args: [
        kubeconfig,
        `--lister-kubeconfig=${cluster.kubeconfig}`,
        `--authentication-kubeconfig=${cluster.kubeconfig}`,
        `--authorization-kubeconfig=${cluster.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.adapter}`,
        `--port=${ports.adapter + 1}`,
        `--cert-dir=${certDir}`,
        `--tls-cert-file=${join(certDir, 'tls.crt')}`,
        `--tls-private-key-file=${join(certDir, 'tls.key')}`,
        `--client-ca-file=${caFile}`,
        `--metrics-service-address=127.0.0.1:${ports.operator}`,
        '--zap-log-level=info',
      ],
      env,
      logFile: logFile('keda-adapter'),
      pidFile: pidFile('keda-adapter'),
    });
    // Available: kube-apiserver reached the adapter through the ExternalName Service and trusts it.
    await waitUntil('keda-adapter', () => apiServiceAvailable(api), 90_000);
  } catch (error) {
    await stopKeda(cluster);
    throw error;
  }
  return { ports, started: true };
}

/**
 * Stops the adapter and the operator, and unregisters the external metrics API so the
 * API server's discovery does not keep pointing at an adapter that is gone.
 */
export async function stopKeda(cluster?: KubernetesService): Promise<boolean> {
  let stopped = false;
  for (const p of processes) stopped = (await stopDaemon(pidFile(p), 15_000)) || stopped;
  if (cluster)
    await kubeApi(cluster.credentials, 5_000)
      .request('DELETE', `${apiServicePath}/${apiServiceName}`)
      .catch(() => undefined);
  return stopped;
}
