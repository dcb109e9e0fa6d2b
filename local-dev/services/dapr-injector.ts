import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOrReplace, type KubeApi, kubeApi } from '../../keda/kube-api.ts';
import { installDaprControlPlane } from './dapr-control-plane-binaries.ts';
import { daprVersion } from './daprd.ts';
import type { KubernetesService } from './kubernetes.ts';
import { applyCrds, daprCrds } from './kubernetes-crds.ts';
import { logsDir, stateDir } from './paths.ts';
import { envPort, isAlive, log, portOpen, readPid, ServiceError, startDaemon, stopDaemon, waitUntilReady } from './process.ts';

/** Where Dapr's control plane lives, as `dapr init -k` puts it. */
export const daprSystemNamespace = 'dapr-system';

/** The image the injector writes into every daprd container (no kubelet pulls it here). */
export const sidecarImage = `daprio/daprd:${daprVersion}`;

/**
 * Ports: FLOWLINE_DAPR_SENTRY_PORT (25050: Sentry's gRPC CA, on loopback; +1 its health), and
 * FLOWLINE_DAPR_INJECTOR_PORT (24443: the admission webhook; +1 its health). Dapr 1.16 binds
 * the webhook and both health servers to every interface (`:<port>`: it parses
 * --listen-address and --healthz-listen-address for them but does not use them).
 */
export interface DaprInjectorPorts {
  sentry: number;
  injector: number;
}

export const daprInjectorPorts = (): DaprInjectorPorts => ({
  sentry: envPort('FLOWLINE_DAPR_SENTRY_PORT', 25050),
  injector: envPort('FLOWLINE_DAPR_INJECTOR_PORT', 24443),
});

export interface DaprInjectorService {
  ports: DaprInjectorPorts;
  /** Sentry's root certificate (PEM): the injector writes it into every sidecar as DAPR_TRUST_ANCHORS. */
  trustAnchors: string;
  started: boolean;
}

const baseDir = join(stateDir, 'kubernetes', 'dapr');
const credentialsDir = join(baseDir, 'sentry-credentials');
const rootCert = join(credentialsDir, 'ca.crt');
const processes = ['dapr-injector', 'dapr-sentry'] as const;
type Process = (typeof processes)[number];
const pidFile = (p: Process) => join(baseDir, `${p}.pid`);
const logFile = (p: Process) => join(logsDir, `${p}.log`);
const webhookPath = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
/** The names the injector itself uses: it patches this webhook's caBundle, and Sentry names its certificate after this Service. */
const webhookName = 'dapr-sidecar-injector';
const injectorService = 'dapr-sidecar-injector';
/** Sentry's and the injector's SPIFFE trust domain (Dapr's default for the control plane). */
const trustDomain = 'cluster.local';

/**
 * The objects of Dapr's control plane the injector reads or patches, as Dapr's own chart
 * makes them: the webhook (all Pod creations; failurePolicy Ignore, Dapr's default), the
 * Service it names (ExternalName to loopback: Endpoints may not hold loopback addresses),
 * the `daprsystem` Configuration (mTLS on) and the scheduler's StatefulSet, whose replica
 * count the injector reads at start (0 here: no scheduler runs, no address is injected).
 */
async function registerWebhook(api: KubeApi, ports: DaprInjectorPorts, caBundle: string): Promise<void> {
  const ns = daprSystemNamespace;
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await createOrReplace(api, `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: injectorService, namespace: ns },
    spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: ports.injector }] },
  });
  await createOrReplace(api, `/apis/dapr.io/v1alpha1/namespaces/${ns}/configurations`, {
    apiVersion: 'dapr.io/v1alpha1',
    kind: 'Configuration',
    metadata: { name: 'daprsystem', namespace: ns },
    spec: {
      mtls: {
        enabled: true,
        workloadCertTTL: '24h',
        allowedClockSkew: '15m',
        controlPlaneTrustDomain: trustDomain,
        sentryAddress: `dapr-sentry.${ns}.svc.cluster.local:443`,
      },
    },
  });
  const labels = { app: 'dapr-scheduler-server' };
  await createOrReplace(api, `/apis/apps/v1/namespaces/${ns}/statefulsets`, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'dapr-scheduler-server', namespace: ns },
    spec: {
      replicas: 0,
      serviceName: 'dapr-scheduler-server',
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'dapr-scheduler-server', image: `daprio/dapr:${daprVersion}` }] } },
    },
  });
  await createOrReplace(api, webhookPath, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: webhookName },
    webhooks: [
      {
        name: 'sidecar-injector.dapr.io',
        reinvocationPolicy: 'IfNeeded',
        clientConfig: { service: { namespace: ns, name: injectorService, path: '/mutate', port: ports.injector }, caBundle },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        admissionReviewVersions: ['v1', 'v1beta1'],
      },
    ],
  });
}

const waitUntil = (what: Process, ready: () => Promise<boolean>, timeoutMs: number) =>
  waitUntilReady({ what, pid: readPid(pidFile(what)), logFile: logFile(what), ready, timeoutMs });

const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok;

/**
 * Starts Dapr's Sentry and sidecar injector outside the cluster against the control plane of
 * `cluster` (the Dapr CRDs applied, the webhook registered), or reuses the ones running.
 *
 * The injector serves its webhook only with a certificate it gets from Sentry (over mTLS,
 * Sentry known by its SPIFFE id, not by a host name), so Sentry runs too: standalone mode,
 * its self-signed root written under .flowline/kubernetes/dapr/, the insecure validator (the
 * injector has no service-account token to show: no kubelet mounts one). Sentry names the
 * injector's certificate `dapr-sidecar-injector.dapr-system.svc`, which is the name the API
 * server checks when it calls the webhook through the Service.
 */
export async function startDaprInjector(cluster: KubernetesService): Promise<DaprInjectorService> {
  const ports = daprInjectorPorts();
  const api = kubeApi(cluster.credentials);
  // Reused only while this cluster still has the webhook: a restarted control plane starts from an empty etcd.
  const registered = async () => (await api.request('GET', `${webhookPath}/${webhookName}`)).status === 200;
  if (
    processes.every((p) => isAlive(readPid(pidFile(p)))) &&
    (await healthy(ports.injector + 1).catch(() => false)) &&
    (await registered().catch(() => false))
  ) {
    return { ports, trustAnchors: readFileSync(rootCert, 'utf8'), started: false };
  }
  await stopDaprInjector();
  const taken: [string, number][] = [
    ['FLOWLINE_DAPR_SENTRY_PORT', ports.sentry],
    ['FLOWLINE_DAPR_SENTRY_PORT (+1, health)', ports.sentry + 1],
    ['FLOWLINE_DAPR_INJECTOR_PORT', ports.injector],
    ['FLOWLINE_DAPR_INJECTOR_PORT (+1, health)', ports.injector + 1],
  ];
  for (const [name, port] of taken) {
    if (await portOpen(port)) throw new ServiceError(`port ${port} is taken by something that is not our Dapr: set ${name} to a free port`);
  }
  const binaries = installDaprControlPlane();
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  // Sentry in standalone mode must be given a Configuration file; an empty spec takes Dapr's defaults.
  const sentryConfig = join(baseDir, 'sentry-config.yaml');
  writeFileSync(sentryConfig, 'apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: daprsystem\nspec: {}\n');
  const env = {
    ...process.env,
    NAMESPACE: daprSystemNamespace,
    // Dapr's images run as 65532; in Kubernetes mode it refuses any other user unless told.
    DAPR_UNSAFE_SKIP_CONTAINER_UID_GID_CHECK: 'true',
  };
  try {
    await applyCrds(api, daprCrds());
    log(`starting Dapr Sentry ${daprVersion} on 127.0.0.1:${ports.sentry}`);
    startDaemon({
      command: binaries.sentry,
      args: [
        '--mode=standalone',
        `--config=${sentryConfig}`,
        `--issuer-credentials=${credentialsDir}`,
        `--trust-domain=${trustDomain}`,
        `--port=${ports.sentry}`,
        '--listen-address=127.0.0.1',
        `--healthz-port=${ports.sentry + 1}`,
        '--enable-metrics=false',
        '--log-level=info',
      ],
      env,
      logFile: logFile('dapr-sentry'),
      pidFile: pidFile('dapr-sentry'),
    });
    await waitUntil('dapr-sentry', async () => existsSync(rootCert) && (await healthy(ports.sentry + 1)), 60_000);
    await registerWebhook(api, ports, readFileSync(rootCert).toString('base64'));
    log(`starting Dapr sidecar injector ${daprVersion} (webhook on port ${ports.injector})`);
    startDaemon({
      command: binaries.injector,
      args: [
        `--kubeconfig=${cluster.kubeconfig}`,
        `--port=${ports.injector}`,
        `--healthz-port=${ports.injector + 1}`,
        '--enable-metrics=false',
        '--log-level=info',
      ],
      env: {
        ...env,
        SIDECAR_IMAGE: sidecarImage,
        SIDECAR_IMAGE_PULL_POLICY: 'IfNotPresent',
        DAPR_TRUST_ANCHORS_FILE: rootCert,
        DAPR_CONTROL_PLANE_TRUST_DOMAIN: trustDomain,
        DAPR_SENTRY_ADDRESS: `127.0.0.1:${ports.sentry}`,
        KUBE_CLUSTER_DOMAIN: 'cluster.local',
        ACTORS_ENABLED: 'false',
      },
      logFile: logFile('dapr-injector'),
      pidFile: pidFile('dapr-injector'),
    });
    // Healthy: it has its certificate from Sentry, listens, and has patched the webhook's caBundle.
    await waitUntil('dapr-injector', () => healthy(ports.injector + 1), 60_000);
  } catch (error) {
    await stopDaprInjector(cluster);
    throw error;
  }
  return { ports, trustAnchors: readFileSync(rootCert, 'utf8'), started: true };
}

/**
 * Stops the injector and Sentry, and removes the webhook so Pod creations stop calling an
 * injector that is gone.
 */
export async function stopDaprInjector(cluster?: KubernetesService): Promise<boolean> {
  let stopped = false;
  for (const p of processes) stopped = (await stopDaemon(pidFile(p), 15_000)) || stopped;
  if (cluster)
    await kubeApi(cluster.credentials, 5_000)
      .request('DELETE', `${webhookPath}/${webhookName}`)
      .catch(() => undefined);
  return stopped;
}
