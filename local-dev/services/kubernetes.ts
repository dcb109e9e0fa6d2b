import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeCredentials, kubeApi } from '../../keda/kube-api.ts';
import { installKubernetes, kubernetesVersion } from './kubernetes-binaries.ts';
import { ensureKubernetesPki, type KubernetesPki } from './kubernetes-pki.ts';
import { logsDir, stateDir } from './paths.ts';
import { envPort, isAlive, log, portOpen, readPid, removeDir, ServiceError, startDaemon, stopDaemon, waitUntilReady } from './process.ts';

/**
 * A real Kubernetes control plane as plain processes on loopback: etcd, kube-apiserver
 * and kube-controller-manager (Deployments → ReplicaSets → Pods, the HPA, garbage
 * collection). No kubelet, no CNI: Pods are created and stay Pending, which is enough
 * to see what helm, KEDA and the HPA do with the objects.
 *
 * Ports: FLOWLINE_ETCD_PORT (22379, and the next one for etcd's peer URL),
 * FLOWLINE_KUBE_APISERVER_PORT (26443), FLOWLINE_KUBE_CONTROLLER_MANAGER_PORT (20257).
 * State (certificates, etcd's data, the kubeconfig) is under .flowline/kubernetes/.
 */
export interface KubernetesPorts {
  etcd: number;
  apiserver: number;
  controllerManager: number;
}

export interface KubernetesService {
  /** A kubeconfig for the cluster's admin (system:masters), with the certificates inlined. */
  kubeconfig: string;
  credentials: KubeCredentials;
  pki: KubernetesPki;
  ports: KubernetesPorts;
  /** True when this call started the control plane (so the caller should stop it). */
  started: boolean;
}

export const kubernetesPorts = (): KubernetesPorts => ({
  etcd: envPort('FLOWLINE_ETCD_PORT', 22379),
  apiserver: envPort('FLOWLINE_KUBE_APISERVER_PORT', 26443),
  controllerManager: envPort('FLOWLINE_KUBE_CONTROLLER_MANAGER_PORT', 20257),
});

const baseDir = join(stateDir, 'kubernetes');
export const kubeconfigPath = join(baseDir, 'kubeconfig');
const components = ['kube-controller-manager', 'kube-apiserver', 'etcd'] as const;
type Component = (typeof components)[number];
const pidFile = (c: Component) => join(baseDir, `${c}.pid`);
const logFile = (c: Component) => join(logsDir, `${c}.log`);

/** The local cluster's admin: always a client certificate. */
type AdminCredentials = Required<Pick<KubeCredentials, 'server' | 'ca' | 'cert' | 'key'>>;

function credentialsOf(pki: KubernetesPki, ports: KubernetesPorts): AdminCredentials {
  return {
    server: `https://127.0.0.1:${ports.apiserver}`,
    ca: readFileSync(pki.caCert, 'utf8'),
    cert: readFileSync(pki.adminCert, 'utf8'),
    key: readFileSync(pki.adminKey, 'utf8'),
  };
}

/** JSON is YAML: client-go, helm and KEDA read it as a kubeconfig. */
function writeKubeconfig(credentials: AdminCredentials): void {
  const b64 = (pem: string) => Buffer.from(pem).toString('base64');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'flowline-local', cluster: { server: credentials.server, 'certificate-authority-data': b64(credentials.ca) } }],
    users: [
      { name: 'flowline-admin', user: { 'client-certificate-data': b64(credentials.cert), 'client-key-data': b64(credentials.key) } },
    ],
    contexts: [{ name: 'flowline-local', context: { cluster: 'flowline-local', user: 'flowline-admin', namespace: 'default' } }],
    'current-context': 'flowline-local',
  };
  writeFileSync(kubeconfigPath, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}

const waitUntil = (what: Component, ready: () => Promise<boolean>, timeoutMs: number) =>
  waitUntilReady({ what, pid: readPid(pidFile(what)), logFile: logFile(what), ready, timeoutMs });

async function running(credentials: KubeCredentials): Promise<boolean> {
  if (!components.every((c) => isAlive(readPid(pidFile(c))))) return false;
  return (
    (
      await kubeApi(credentials, 5_000)
        .request('GET', '/readyz')
        .catch(() => undefined)
    )?.status === 200
  );
}

/** Starts the control plane, or reuses the one this clone already runs. A failed start stops what it started. */
export async function startKubernetes(): Promise<KubernetesService> {
  const ports = kubernetesPorts();
  mkdirSync(baseDir, { recursive: true });
  const pki = ensureKubernetesPki(join(baseDir, 'pki'));
  const credentials = credentialsOf(pki, ports);
  const service = { kubeconfig: kubeconfigPath, credentials, pki, ports };
  if (await running(credentials)) return { ...service, started: false };
  await stopKubernetes(); // a partial set from an earlier run: start afresh
  const taken: [string, number][] = [
    ['FLOWLINE_ETCD_PORT', ports.etcd],
    ['FLOWLINE_ETCD_PORT (+1, etcd peer)', ports.etcd + 1],
    ['FLOWLINE_KUBE_APISERVER_PORT', ports.apiserver],
    ['FLOWLINE_KUBE_CONTROLLER_MANAGER_PORT', ports.controllerManager],
  ];
  for (const [name, port] of taken) {
    if (await portOpen(port))
      throw new ServiceError(`port ${port} is taken by something that is not our control plane: set ${name} to a free port`);
  }
  const binaries = installKubernetes();
  try {
    await startEtcd(binaries.etcd, ports);
    await startApiserver(binaries.kubeApiserver, pki, ports, credentials);
    writeKubeconfig(credentials);
    await startControllerManager(binaries.kubeControllerManager, pki, ports, credentials);
  } catch (error) {
    await stopKubernetes();
    throw error;
  }
  return { ...service, started: true };
}

async function startEtcd(binary: string, ports: KubernetesPorts): Promise<void> {
  const dataDir = join(baseDir, 'etcd-data');
  removeDir(dataDir); // each start is a fresh cluster: no objects left from an earlier run
  const client = `http://127.0.0.1:${ports.etcd}`;
  const peer = `http://127.0.0.1:${ports.etcd + 1}`;
  log(`starting etcd on ${client}`);
  startDaemon({
    command: binary,
    args: [
      '--name=flowline',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=flowline=${peer}`,
      '--log-level=warn',
      // A throwaway test cluster: durability across a power cut is not worth the fsync latency.
      '--unsafe-no-fsync',
    ],
    logFile: logFile('etcd'),
    pidFile: pidFile('etcd'),
  });
  await waitUntil(
    'etcd',
    async () =>
      ((await (await fetch(`${client}/health`, { signal: AbortSignal.timeout(2_000) })).json()) as { health?: string }).health === 'true',
    30_000,
  );
}

async function startApiserver(binary: string, pki: KubernetesPki, ports: KubernetesPorts, credentials: KubeCredentials): Promise<void> {
  log(`starting kube-apiserver ${kubernetesVersion} on ${credentials.server}`);
  startDaemon({
    command: binary,
    args: [
      `--etcd-servers=http://127.0.0.1:${ports.etcd}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiserver}`,
      // Endpoints may not hold loopback addresses; the `kubernetes` Service's are not needed here.
      '--endpoint-reconciler-type=none',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      // The aggregation layer (KEDA's external metrics API) authenticates to extension servers as front-proxy-client.
      `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
      `--proxy-client-key-file=${pki.frontProxyClientKey}`,
      '--profiling=false',
    ],
    logFile: logFile('kube-apiserver'),
    pidFile: pidFile('kube-apiserver'),
  });
  const api = kubeApi(credentials, 5_000);
  await waitUntil('kube-apiserver', async () => (await api.request('GET', '/readyz')).status === 200, 120_000);
}

async function startControllerManager(
  binary: string,
  pki: KubernetesPki,
  ports: KubernetesPorts,
  credentials: KubeCredentials,
): Promise<void> {
  log('starting kube-controller-manager');
  startDaemon({
    command: binary,
    args: [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.controllerManager}`,
      `--cert-dir=${join(baseDir, 'controller-manager-certs')}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      // How often the HPA looks (default 15 s): shortens the tests' waits, changes no decision.
      '--horizontal-pod-autoscaler-sync-period=5s',
    ],
    logFile: logFile('kube-controller-manager'),
    pidFile: pidFile('kube-controller-manager'),
  });
  // Ready when its controllers act: the service-account controller gives `default` its account.
  const api = kubeApi(credentials, 5_000);
  await waitUntil(
    'kube-controller-manager',
    async () => (await api.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    60_000,
  );
}

/** Stops what this clone's control plane runs, controllers first, etcd last. */
export async function stopKubernetes(): Promise<boolean> {
  let stopped = false;
  for (const c of components) stopped = (await stopDaemon(pidFile(c), 15_000)) || stopped;
  return stopped;
}
