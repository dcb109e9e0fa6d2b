import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigEnv } from '../../config/load.ts';
import { EdgeConfig } from '../../edge-adapter/config/edge-config.ts';
import { GatewaySettings, startupProblems } from '../../gateway/settings.ts';
import { derivedPaths } from '../../keda/generated-files.ts';
import { createLagRegistry } from '../../keda/lag-metrics.ts';
import { readLagTargets } from '../../keda/lag-targets-file.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { RuntimeEnv } from '../../runtime/config.ts';
import { createRuntimeMetrics } from '../../runtime/metrics.ts';
import { findObject, helm, type KubeObject, renderChart } from '../support/helm.ts';
import { createManifestCheck, type ManifestCheck } from '../support/kubernetes-schemas.ts';

/**
 * The chart, rendered by a real helm over the values files platform teams start from
 * (charts/flowline/ci/), every object checked against the Kubernetes, KEDA and Dapr
 * schemas, and the function list checked against the manifests it was derived from.
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const ciValues = readdirSync(join(chartDir, 'ci')).filter((f) => f.endsWith('-values.yaml'));
const valuesFile = (name: string) => join(chartDir, 'ci', `${name}-values.yaml`);

interface ChartFunction {
  name: string;
  subscribes: string[];
  needs: string[];
  offsetResetPolicy: string;
}
const functions = (load(readFileSync(join(repoRoot, derivedPaths.chartFunctions), 'utf8')) as { functions: ChartFunction[] }).functions;

type Container = {
  name: string;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: Record<string, unknown>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
};
type PodSpec = {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; secret?: { secretName: string; items: { key: string; path: string }[] } }[];
};
const podSpecOf = (o: KubeObject): PodSpec =>
  o.kind === 'Pod' ? (o.spec as PodSpec) : (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const containerOf = (o: KubeObject): Container => podSpecOf(o).containers[0] as Container;
const envOf = (o: KubeObject) => new Map((containerOf(o).env ?? []).map((e) => [e.name, e]));

/** Read by node itself, not by our settings: the chart's V8 heap settings (templates/_env.tpl). */
const nodeReads = ['NODE_OPTIONS'];

/** A Kubernetes memory quantity in MiB (the forms values.schema.json allows). */
function mebibytes(quantity: string): number {
  const match = /^([0-9.]+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity this test reads: ${quantity}`);
  const scale = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[match[2] as 'Ki' | 'Mi' | 'Gi' | 'Ti'] ?? 1 / (1024 * 1024);
  return Number(match[1]) * scale;
}
const heapOptionsOf = (o: KubeObject) => {
  const value = envOf(o).get('NODE_OPTIONS')?.value;
  const old = /--max-old-space-size=(\d+)/.exec(value ?? '')?.[1];
  const semi = /--max-semi-space-size=(\d+)/.exec(value ?? '')?.[1];
  return { value, old: old === undefined ? undefined : Number(old), semi: semi === undefined ? undefined : Number(semi) };
};

/** Renders once per values file; tests that only read the objects share them. */
const renders = new Map<string, KubeObject[]>();
const rendered = (values: string): KubeObject[] => {
  let objects = renders.get(values);
  if (!objects) {
    objects = renderChart(chartDir, [values]);
    renders.set(values, objects);
  }
  return objects;
};

let check: ManifestCheck;
beforeAll(() => {
  helm(['version']); // builds helm on the first run on a machine (a few minutes)
  check = createManifestCheck();
}, 900_000);

describe.each(ciValues)('charts/flowline with ci/%s', (file) => {
  const values = join(chartDir, 'ci', file);

  it('passes helm lint --strict', () => {
    const result = helm(['lint', '--strict', chartDir, '--values', values]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('renders only objects that match their Kubernetes, KEDA and Dapr schemas', () => {
    const objects = rendered(values);
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.flatMap(check)).toEqual([]);
  });

  it('writes no Secret, and takes every password from one', () => {
    const objects = rendered(values);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Pod')) {
      for (const [name, env] of envOf(o)) {
        // GATEWAY_TOKEN_TTL_SECONDS is a lifetime, not a token.
        if (/PASSWORD|SECRET|TOKEN(?!_TTL)/.test(name)) expect({ [name]: env.valueFrom !== undefined }).toEqual({ [name]: true });
      }
    }
  });

  it('runs every container non-root, read-only, without privileges, with probes and resources', () => {
    for (const o of rendered(values).filter((o) => o.kind === 'Deployment' || o.kind === 'Pod')) {
      const pod = podSpecOf(o);
      expect(pod.securityContext, o.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken, o.metadata.name).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext, `${o.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.requests?.memory, `${o.metadata.name}/${c.name}`).toBeDefined();
        expect(c.resources?.limits?.memory, `${o.metadata.name}/${c.name}`).toBeDefined();
        if (o.kind === 'Deployment') expect([c.readinessProbe, c.livenessProbe].every(Boolean), o.metadata.name).toBe(true);
      }
    }
  });

  it('gives every function of the manifests a Deployment, a Service and a PodDisruptionBudget named after it', () => {
    const objects = rendered(values);
    for (const fn of functions) {
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget'])
        expect(findObject(objects, kind, fn.name), `${kind} ${fn.name}`).toBeDefined();
      const deployment = findObject(objects, 'Deployment', fn.name) as KubeObject;
      expect((containerOf(deployment) as { args?: string[] }).args).toEqual([`functions/${fn.name}`]);
    }
  });

  it('sets only environment variables the runtime reads (or that another one references)', () => {
    const known = new Set([...Object.keys(RuntimeEnv.shape), ...Object.keys(ConfigEnv.shape), ...nodeReads]);
    for (const fn of functions) {
      const deployment = findObject(rendered(values), 'Deployment', fn.name);
      if (!deployment) continue;
      const env = [...envOf(deployment).values()];
      const referenced = new Set(env.flatMap((e) => [...(e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1])));
      const unknown = env.map((e) => e.name).filter((name) => !known.has(name) && !referenced.has(name));
      expect(unknown, fn.name).toEqual([]);
    }
  });

  it('gives the gateway only variables it reads, in forms gateway/settings.ts accepts', () => {
    const gateway = findObject(rendered(values), 'Deployment', 'flowline-gateway');
    if (!gateway) return;
    const known = new Set([...Object.keys(GatewaySettings.shape), ...Object.keys(ConfigEnv.shape), ...nodeReads]);
    const env = [...envOf(gateway).values()];
    const referenced = new Set(env.flatMap((e) => [...(e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1])));
    expect(env.map((e) => e.name).filter((name) => !known.has(name) && !referenced.has(name))).toEqual([]);
    // What the container would see, a Secret's value standing in for each reference.
    const seen = Object.fromEntries(
      env.map((e) => [e.name, e.value ?? (e.name === 'DATABASE_URL' ? 'postgres://u:p@db:5432/f' : 'x'.repeat(32))]),
    );
    const parsed = GatewaySettings.safeParse(
      Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, v.replace(/\$\([A-Z0-9_]+\)/g, 'x')])),
    );
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe('KEDA', () => {
  it('scales each function on its own consumer group, one trigger per topic, as keda/rendered/ does', () => {
    const objects = rendered(valuesFile('minimal'));
    for (const fn of functions) {
      const chart = findObject(objects, 'ScaledObject', fn.name) as KubeObject & {
        spec: Record<string, unknown> & { triggers: { metadata: Record<string, string> }[] };
      };
      const rendered = load(readFileSync(join(repoRoot, derivedPaths.renderedDir, `${fn.name}.yaml`), 'utf8')) as typeof chart;
      expect(chart, fn.name).toBeDefined();
      for (const field of ['scaleTargetRef', 'minReplicaCount', 'maxReplicaCount', 'pollingInterval', 'cooldownPeriod', 'fallback']) {
        expect(chart.spec[field], `${fn.name} ${field}`).toEqual(rendered.spec[field]);
      }
      const withoutBrokers = (m: Record<string, string>) => {
        const { bootstrapServers: _b, bootstrapServersFromEnv: _e, ...rest } = m;
        return rest;
      };
      expect(chart.spec.triggers.map((t) => withoutBrokers(t.metadata))).toEqual(
        rendered.spec.triggers.map((t) => withoutBrokers(t.metadata)),
      );
      expect(chart.spec.triggers.map((t) => t.metadata.bootstrapServers)).toEqual(fn.subscribes.map(() => 'kafka.kafka.svc:9092'));
      expect(chart.spec.triggers.map((t) => t.metadata.consumerGroup)).toEqual(fn.subscribes.map(() => fn.name));
    }
  });

  it('never lets maxReplicaCount exceed the largest subscribed topic, with the partitions platform values give', () => {
    // validate reads raw telemetry and the edge's compacted minutes: both topics at 2 partitions.
    const objects = renderChart(chartDir, [valuesFile('minimal')], {
      set: ['kafka.topicPartitions.scada\\.telemetry\\.raw=2', 'kafka.topicPartitions.scada\\.telemetry\\.compacted=2'],
    });
    const fn = functions.find((f) => f.subscribes.includes('scada.telemetry.raw'));
    if (!fn) throw new Error('no function subscribes to scada.telemetry.raw: validate should');
    expect((findObject(objects, 'ScaledObject', fn.name) as KubeObject & { spec: { maxReplicaCount: number } }).spec.maxReplicaCount).toBe(
      2,
    );
  });

  it('authenticates to a SASL/TLS Kafka through a TriggerAuthentication that references Secrets', () => {
    const objects = rendered(valuesFile('production'));
    const auth = findObject(objects, 'TriggerAuthentication', 'flowline-kafka') as KubeObject & { spec: { secretTargetRef: unknown[] } };
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'flowline-kafka-user', key: 'username' },
      { parameter: 'password', name: 'flowline-kafka-user', key: 'password' },
      { parameter: 'ca', name: 'kafka-cluster-ca', key: 'ca.crt' },
    ]);
    for (const so of objects.filter((o) => o.kind === 'ScaledObject') as (KubeObject & {
      spec: { triggers: { metadata: Record<string, string>; authenticationRef: unknown }[] };
    })[]) {
      for (const t of so.spec.triggers) {
        expect(t.metadata).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
        expect(t.authenticationRef).toEqual({ name: 'flowline-kafka' });
      }
    }
  });

  it('is left out with keda.enabled=false, and each function gets fixed replicas', () => {
    const objects = rendered(valuesFile('keda-off'));
    expect(objects.filter((o) => o.apiVersion.startsWith('keda.sh/'))).toEqual([]);
    for (const fn of functions) {
      expect(
        (findObject(objects, 'Deployment', fn.name) as KubeObject & { spec: { replicas: number } }).spec.replicas,
      ).toBeGreaterThanOrEqual(1);
    }
  });

  it('leaves spec.replicas to the HPA when enabled, so an upgrade does not reset the scale', () => {
    for (const fn of functions) {
      expect((findObject(rendered(valuesFile('minimal')), 'Deployment', fn.name) as KubeObject & { spec: object }).spec).not.toHaveProperty(
        'replicas',
      );
    }
  });
});

describe('Dapr', () => {
  it('makes every function a Dapr app whose app id is its name, on the pub/sub for its start policy', () => {
    const objects = rendered(valuesFile('minimal'));
    type Component = KubeObject & { spec: { type: string; metadata: { name: string; value?: string }[] }; scopes: string[] };
    const components = objects.filter((o) => o.kind === 'Component') as Component[];
    for (const fn of functions) {
      const deployment = findObject(objects, 'Deployment', fn.name) as KubeObject & {
        spec: { template: { metadata: { annotations: Record<string, string> } } };
      };
      expect(deployment.spec.template.metadata.annotations).toMatchObject({
        'dapr.io/enabled': 'true',
        'dapr.io/app-id': fn.name,
        'dapr.io/app-port': '8080',
        'dapr.io/config': 'flowline',
      });
      const pubsubName = envOf(deployment).get('DAPR_PUBSUB_NAME')?.value;
      const pubsub = components.find((c) => c.metadata.name === pubsubName);
      expect(pubsub?.spec.type, fn.name).toBe('pubsub.kafka');
      expect(pubsub?.scopes).toContain(fn.name);
      const initialOffset = pubsub?.spec.metadata.find((m) => m.name === 'initialOffset')?.value;
      expect(initialOffset, fn.name).toBe(fn.offsetResetPolicy === 'earliest' ? 'oldest' : 'newest');
      for (const topic of fn.subscribes) {
        const sub = findObject(objects, 'Subscription', `${fn.name}-${topic.replaceAll('.', '-')}`) as KubeObject & {
          spec: object;
          scopes: string[];
        };
        expect(sub.spec).toEqual({
          pubsubname: pubsubName,
          topic,
          routes: { default: `/dapr/events/${topic}` },
          deadLetterTopic: `${topic}.dlq`,
        });
        expect(sub.scopes).toEqual([fn.name]);
      }
    }
    expect(findObject(objects, 'Resiliency', 'flowline')).toBeDefined();
    expect(findObject(objects, 'Configuration', 'flowline')).toBeDefined();
  });

  it('references the SASL credentials and the CA from Secrets in the Kafka component', () => {
    const pubsub = rendered(valuesFile('production')).find(
      (o) => o.kind === 'Component' && o.metadata.name === 'flowline-pubsub',
    ) as KubeObject & {
      spec: { metadata: { name: string; value?: string; secretKeyRef?: unknown }[] };
    };
    const meta = Object.fromEntries(pubsub.spec.metadata.map((m) => [m.name, m.value ?? m.secretKeyRef]));
    expect(meta).toMatchObject({
      consumerGroup: '{appID}',
      authType: 'password',
      saslMechanism: 'SHA-512',
      saslUsername: { name: 'flowline-kafka-user', key: 'username' },
      saslPassword: { name: 'flowline-kafka-user', key: 'password' },
      disableTls: 'false',
      caCert: { name: 'kafka-cluster-ca', key: 'ca.crt' },
    });
  });

  it('is left out with dapr.enabled=false: each function is a Kafka consumer group', () => {
    const objects = rendered(valuesFile('dapr-off'));
    expect(objects.filter((o) => o.apiVersion.startsWith('dapr.io/'))).toEqual([]);
    for (const fn of functions) {
      const deployment = findObject(objects, 'Deployment', fn.name) as KubeObject & {
        spec: { template: { metadata: { annotations?: object } } };
      };
      expect(Object.keys(deployment.spec.template.metadata.annotations ?? {}).filter((k) => k.startsWith('dapr.io/'))).toEqual([]);
      const env = envOf(deployment);
      expect(env.get('FLOWLINE_HOST')?.value).toBe('kafka');
      expect(env.get('KAFKA_BROKERS')?.value).toBe('kafka.kafka.svc:9092');
      expect(env.get('KAFKA_SASL_PASSWORD')?.valueFrom).toEqual({ secretKeyRef: { name: 'flowline-kafka-user', key: 'password' } });
    }
  });
});

describe('Kafka with a client certificate (mutual TLS)', () => {
  // The production values without SASL: a broker that authenticates clients by certificate alone.
  const mtls = [
    'kafka.sasl.mechanism=none',
    'kafka.tls.clientCertSecret.name=flowline-kafka-client',
    'kafka.tls.clientCertSecret.certKey=user.crt',
    'kafka.tls.clientCertSecret.keyKey=user.key',
  ];
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderChart(chartDir, [valuesFile('production')], { set: mtls });
  });

  it('renders only objects that match their schemas', () => {
    expect(objects.flatMap(check)).toEqual([]);
  });

  it('mounts the certificate and key where KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE point, in every Kafka client', () => {
    // On the kafka host every function is a Kafka client itself (on dapr, its sidecar is).
    const kafkaHost = renderChart(chartDir, [valuesFile('production')], { set: [...mtls, 'dapr.enabled=false'] });
    const clients = kafkaHost.filter((o) => o.kind === 'Deployment' && envOf(o).has('KAFKA_BROKERS'));
    // The functions, the gateway and the lag exporter.
    expect(clients.map((o) => o.metadata.name)).toEqual(
      expect.arrayContaining([...functions.map((f) => f.name), 'flowline-gateway', 'flowline-lag-exporter']),
    );
    for (const o of clients) {
      const env = envOf(o);
      const volume = podSpecOf(o).volumes?.find((v) => v.name === 'kafka-client');
      expect(volume?.secret, o.metadata.name).toEqual({
        secretName: 'flowline-kafka-client',
        items: [
          { key: 'user.crt', path: 'tls.crt' },
          { key: 'user.key', path: 'tls.key' },
        ],
      });
      const mount = containerOf(o).volumeMounts?.find((m) => m.name === 'kafka-client');
      expect(env.get('KAFKA_SSL_CERT_FILE')?.value, o.metadata.name).toBe(`${mount?.mountPath}/tls.crt`);
      expect(env.get('KAFKA_SSL_KEY_FILE')?.value, o.metadata.name).toBe(`${mount?.mountPath}/tls.key`);
      expect(env.get('KAFKA_SSL')?.value, o.metadata.name).toBe('true');
      // What the runtime reads from this environment (connection-from-env.ts would refuse half a pair).
      const kafkaEnv = Object.fromEntries(
        [...env].filter(([name]) => name.startsWith('KAFKA_')).map(([name, e]) => [name, e.value ?? 'from-secret']),
      );
      expect(RuntimeEnv.safeParse(kafkaEnv).error?.issues ?? [], o.metadata.name).toEqual([]);
    }
  });

  it('gives KEDA the certificate and key through the TriggerAuthentication', () => {
    const auth = findObject(objects, 'TriggerAuthentication', 'flowline-kafka') as KubeObject & { spec: { secretTargetRef: unknown[] } };
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'ca', name: 'kafka-cluster-ca', key: 'ca.crt' },
      { parameter: 'cert', name: 'flowline-kafka-client', key: 'user.crt' },
      { parameter: 'key', name: 'flowline-kafka-client', key: 'user.key' },
    ]);
    for (const so of objects.filter((o) => o.kind === 'ScaledObject') as (KubeObject & {
      spec: { triggers: { metadata: Record<string, string>; authenticationRef: unknown }[] };
    })[]) {
      for (const t of so.spec.triggers) {
        expect(t.metadata.tls).toBe('enable');
        expect(t.metadata).not.toHaveProperty('sasl');
        expect(t.authenticationRef).toEqual({ name: 'flowline-kafka' });
      }
    }
  });

  it("gives Dapr's pubsub.kafka authType mtls with the CA, certificate and key from the Secrets", () => {
    const pubsub = findObject(objects, 'Component', 'flowline-pubsub') as KubeObject & {
      spec: { metadata: { name: string; value?: string; secretKeyRef?: unknown }[] };
    };
    const meta = Object.fromEntries(pubsub.spec.metadata.map((m) => [m.name, m.value ?? m.secretKeyRef]));
    expect(meta).toMatchObject({
      authType: 'mtls',
      disableTls: 'false',
      caCert: { name: 'kafka-cluster-ca', key: 'ca.crt' },
      clientCert: { name: 'flowline-kafka-client', key: 'user.crt' },
      clientKey: { name: 'flowline-kafka-client', key: 'user.key' },
    });
    expect(meta).not.toHaveProperty('saslPassword');
  });

  it("writes certFile and keyFile into the edge adapter's file, which its schema accepts", () => {
    const configMap = findObject(objects, 'ConfigMap', 'flowline-edge-adapter') as KubeObject & { data: Record<string, string> };
    const parsed = EdgeConfig.safeParse(load(configMap.data['edge-adapter.yaml'] ?? ''));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.kafka?.ssl).toEqual({
      caFile: '/etc/flowline/kafka-ca/ca.crt',
      certFile: '/etc/flowline/kafka-client/tls.crt',
      keyFile: '/etc/flowline/kafka-client/tls.key',
    });
    const edge = findObject(objects, 'Deployment', 'flowline-edge-adapter') as KubeObject;
    expect(containerOf(edge).volumeMounts).toEqual(
      expect.arrayContaining([{ name: 'kafka-client', mountPath: '/etc/flowline/kafka-client', readOnly: true }]),
    );
  });

  it('gives Dapr TLS without client authentication as authType certificate (none would turn TLS off)', () => {
    const tlsOnly = renderChart(chartDir, [valuesFile('production')], { set: ['kafka.sasl.mechanism=none'] });
    const pubsub = findObject(tlsOnly, 'Component', 'flowline-pubsub') as KubeObject & {
      spec: { metadata: { name: string; value?: string }[] };
    };
    expect(pubsub.spec.metadata.find((m) => m.name === 'authType')?.value).toBe('certificate');
  });

  it("refuses what Dapr's pubsub.kafka cannot do, saying which setting", () => {
    const failure = (set: string[]) => {
      const result = helm(['template', 'flowline', chartDir, '--values', valuesFile('production'), ...set.flatMap((s) => ['--set', s])]);
      expect(result.status).not.toBe(0);
      return result.stderr;
    };
    expect(failure(['kafka.tls.clientCertSecret.name=flowline-kafka-client'])).toContain(
      "Dapr's pubsub.kafka authenticates with SASL (authType password) or a client certificate (authType mtls), not both",
    );
    expect(failure([...mtls, 'kafka.tls.caSecret.name='])).toContain(
      'dapr.enabled with kafka.tls.clientCertSecret needs kafka.tls.caSecret',
    );
    expect(failure(['kafka.sasl.mechanism=none', 'kafka.tls.caSecret.name='])).toContain(
      'dapr.enabled with kafka.tls.enabled and no SASL needs kafka.tls.caSecret',
    );
    // Without Dapr, the kafka host does SASL and a client certificate together.
    expect(
      renderChart(chartDir, [valuesFile('production')], { set: ['kafka.tls.clientCertSecret.name=c', 'dapr.enabled=false'] }).length,
    ).toBeGreaterThan(10);
  });
});

describe('the edge adapter', () => {
  it("gets a configuration file its own schema accepts, with Kafka filled in from the chart's values", () => {
    const objects = rendered(valuesFile('production'));
    const configMap = findObject(objects, 'ConfigMap', 'flowline-edge-adapter') as KubeObject & { data: Record<string, string> };
    const parsed = EdgeConfig.safeParse(load(configMap.data['edge-adapter.yaml'] ?? ''));
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(parsed.data?.kafka).toEqual({
      brokers: ['kafka-0.kafka.svc:9093', 'kafka-1.kafka.svc:9093', 'kafka-2.kafka.svc:9093'],
      compression: 'gzip',
      ssl: { caFile: '/etc/flowline/kafka-ca/ca.crt' },
      sasl: { mechanism: 'scram-sha-512', username: 'flowline-edge', passwordEnv: 'KAFKA_SASL_PASSWORD' },
    });
    const deployment = findObject(objects, 'Deployment', 'flowline-edge-adapter') as KubeObject;
    expect(envOf(deployment).get('KAFKA_SASL_PASSWORD')?.valueFrom).toEqual({
      secretKeyRef: { name: 'flowline-kafka-user', key: 'password' },
    });
    expect((deployment as KubeObject & { spec: { replicas: number; strategy: object } }).spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'Recreate' },
    });
  });
});

describe('the gateway', () => {
  const gatewayOf = (objects: KubeObject[]) => findObject(objects, 'Deployment', 'flowline-gateway') as KubeObject;

  it('takes its production settings from values, each secret from a Secret, and can start with them', () => {
    const objects = rendered(valuesFile('production'));
    const gateway = gatewayOf(objects);
    const env = envOf(gateway);
    expect(
      Object.fromEntries([...env].filter(([name]) => name.startsWith('GATEWAY_')).map(([name, e]) => [name, e.value ?? e.valueFrom])),
    ).toEqual({
      GATEWAY_FUNCTION_URL: 'http://{name}:8080/invoke',
      GATEWAY_KAFKA_GROUP: 'flowline-gateway',
      GATEWAY_JWKS_URL: 'https://id.example.com/realms/plant/protocol/openid-connect/certs',
      GATEWAY_JWT_ISSUER: 'https://id.example.com/realms/plant',
      GATEWAY_JWT_AUDIENCE: 'flowline',
      GATEWAY_JWT_ROLE_CLAIM: 'flowline_role',
      GATEWAY_JWT_TENANT_CLAIM: 'flowline_tenant',
      GATEWAY_JWT_NAME_CLAIM: 'preferred_username',
      GATEWAY_TOKEN_TTL_SECONDS: '43200',
      GATEWAY_JWT_SECRET: { secretKeyRef: { name: 'flowline-gateway-auth', key: 'jwt-secret' } },
      GATEWAY_USERS_FILE: '/etc/flowline/gateway-auth/users/users.yaml',
      GATEWAY_API_KEYS_FILE: '/etc/flowline/gateway-auth/api-keys/api-keys.yaml',
      GATEWAY_EDGE_ADAPTERS: 'acme/pad-07=http://flowline-edge-adapter:9464',
      GATEWAY_PROMETHEUS_URL: 'http://prometheus-operated.monitoring:9090',
      GATEWAY_CORS_ORIGINS: 'https://ops.example.com',
    });
    // Each file the gateway is told to read is a Secret's key, mounted where the variable says.
    const pod = podSpecOf(gateway);
    const fileFrom = (variable: string) => {
      const path = env.get(variable)?.value ?? '';
      const mount = containerOf(gateway).volumeMounts?.find((m) => path.startsWith(`${m.mountPath}/`));
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      const item = volume?.secret?.items.find((i) => `${mount?.mountPath}/${i.path}` === path);
      return { secret: volume?.secret?.secretName, key: item?.key };
    };
    expect(fileFrom('GATEWAY_USERS_FILE')).toEqual({ secret: 'flowline-gateway-auth', key: 'users.yaml' });
    expect(fileFrom('GATEWAY_API_KEYS_FILE')).toEqual({ secret: 'flowline-gateway-api-keys', key: 'keys.yaml' });
    const settings = GatewaySettings.parse({
      ...Object.fromEntries([...env].map(([name, e]) => [name, e.value?.replace(/\$\([A-Z0-9_]+\)/g, 'x')])),
      GATEWAY_JWT_SECRET: 'a secret of at least thirty-two characters',
    });
    expect(settings.GATEWAY_EDGE_ADAPTERS).toEqual([{ tenantId: 'acme', site: 'pad-07', url: 'http://flowline-edge-adapter:9464' }]);
    expect(startupProblems(settings)).toEqual([]);
  });

  it('invokes each function at a Service that exists, on the port it serves', () => {
    for (const set of [[], ['functions.port=9000']]) {
      const objects = renderChart(chartDir, [valuesFile('minimal')], { set });
      const template = envOf(gatewayOf(objects)).get('GATEWAY_FUNCTION_URL')?.value ?? '';
      for (const fn of functions) {
        const url = new URL(template.replaceAll('{name}', fn.name));
        const service = findObject(objects, 'Service', url.hostname) as KubeObject & {
          spec: { selector: Record<string, string>; ports: { port: number; targetPort: string }[] };
        };
        expect(service, `Service ${url.hostname}`).toBeDefined();
        expect(service.spec.ports.map((p) => p.port)).toContain(Number(url.port));
        const deployment = findObject(objects, 'Deployment', fn.name) as KubeObject & {
          spec: { template: { metadata: { labels: Record<string, string> } } };
        };
        expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
        expect(containerOf(deployment).ports?.map((p) => [p.name, p.containerPort])).toContainEqual(['http', Number(url.port)]);
        expect(url.pathname).toBe('/invoke');
      }
    }
  });

  it('is let through the network policies to every function’s port, and to the edge adapter', () => {
    const objects = rendered(valuesFile('production')); // metrics scrapes restricted to the monitoring namespace
    type Policy = KubeObject & {
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        ingress?: { from?: { podSelector?: { matchLabels: Record<string, string> } }[]; ports?: { port: string | number }[] }[];
      };
    };
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
    const labelsOf = (o: KubeObject) =>
      (o as KubeObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    const gatewayLabels = labelsOf(gatewayOf(objects));
    const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => labels[k] === v);
    const admitsGateway = (target: KubeObject) =>
      policies.some(
        (p) =>
          matches(p.spec.podSelector.matchLabels, labelsOf(target)) &&
          (p.spec.ingress ?? []).some(
            (rule) =>
              (rule.from ?? []).some((peer) => peer.podSelector && matches(peer.podSelector.matchLabels, gatewayLabels)) &&
              (rule.ports ?? []).some((port) => port.port === 'http'),
          ),
      );
    for (const fn of functions) expect(admitsGateway(findObject(objects, 'Deployment', fn.name) as KubeObject), fn.name).toBe(true);
    expect(admitsGateway(findObject(objects, 'Deployment', 'flowline-edge-adapter') as KubeObject)).toBe(true);
  });
});

describe('monitoring', () => {
  it('gives the lag exporter the thresholds the ScaledObjects have, overrides included', async () => {
    const objects = rendered(valuesFile('production'));
    const configMap = findObject(objects, 'ConfigMap', 'flowline-lag-exporter') as KubeObject & { data: Record<string, string> };
    const dir = mkdtempSync(join(tmpdir(), 'flowline-lag-targets-'));
    try {
      writeFileSync(join(dir, 'targets.yaml'), configMap.data['targets.yaml'] ?? '');
      const targets = await readLagTargets(join(dir, 'targets.yaml'));
      expect(targets.map((t) => t.function)).toEqual(functions.map((f) => f.name));
      for (const target of targets) {
        const so = findObject(objects, 'ScaledObject', target.function) as KubeObject & {
          spec: { minReplicaCount: number; maxReplicaCount: number; triggers: { metadata: Record<string, string> }[] };
        };
        expect(target.bounds, target.function).toEqual({ minReplicas: so.spec.minReplicaCount, maxReplicas: so.spec.maxReplicaCount });
        expect(
          so.spec.triggers.map((t) => [t.metadata.topic, t.metadata.consumerGroup, t.metadata.lagThreshold, t.metadata.offsetResetPolicy]),
        ).toEqual(target.topics.map((topic) => [topic, target.consumerGroup, String(target.lagThreshold), target.offsetResetPolicy]));
      }
      expect(targets.find((t) => t.function === 'validate')?.lagThreshold).toBe(2000); // ci/production-values.yaml overrides it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const exporter = findObject(objects, 'Deployment', 'flowline-lag-exporter') as KubeObject;
    expect((containerOf(exporter) as { command?: string[] }).command).toEqual([
      'node',
      'keda/lag-command.ts',
      '--serve',
      '9464',
      '--targets',
      '/etc/flowline/lag/targets.yaml',
    ]);
  });

  it('ships a Grafana dashboard whose queries use only series Flowline exports', () => {
    const configMap = findObject(rendered(valuesFile('production')), 'ConfigMap', 'flowline-dashboard') as KubeObject & {
      metadata: { namespace: string; labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(configMap.metadata).toMatchObject({ namespace: 'monitoring', labels: { grafana_dashboard: '1' } });
    const dashboard = JSON.parse(configMap.data['flowline.json'] ?? '') as { panels: { targets?: { expr: string }[] }[] };
    const used = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/flowline_[a-z_]+/g) ?? []));
    const exported = [createRuntimeMetrics({ processMetrics: false }).registry, createLagRegistry(async () => [])].flatMap((r) =>
      r.getMetricsAsArray().flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !exported.includes(name))).toEqual([]);
  });
});

describe('components/ (Dapr self-hosted, for dapr run and the tests)', () => {
  it('match the Dapr CRD schemas too', () => {
    const dir = join(repoRoot, 'components');
    const objects = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => load(readFileSync(join(dir, f), 'utf8')) as KubeObject);
    expect(objects.map((o) => o.kind).sort()).toEqual(['Component', 'Component', 'Configuration', 'Resiliency']);
    expect(objects.flatMap(check)).toEqual([]);
  });
});

describe('values', () => {
  const failure = (args: string[]) => {
    const result = helm(['template', 'flowline', chartDir, ...args]);
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  it('has no place for a secret: a password in values is rejected by values.schema.json', () => {
    expect(failure(['--values', valuesFile('minimal'), '--set', 'kafka.sasl.password=hunter2'])).toMatch(
      /additional properties 'password' not allowed/,
    );
  });

  it('rejects a misspelt key instead of ignoring it', () => {
    expect(failure(['--values', valuesFile('minimal'), '--set', 'keda.enable=false'])).toMatch(
      /additional properties 'enable' not allowed/,
    );
  });

  it('says which setting is missing', () => {
    expect(failure(['--set', 'redis.host=r,postgres.existingSecret=pg,postgres.urlKey=uri'])).toContain('kafka.brokers is required');
    expect(failure(['--set', 'kafka.brokers=k:9092,postgres.existingSecret=pg,postgres.urlKey=uri'])).toContain('redis.host is required');
    expect(failure(['--set', 'kafka.brokers=k:9092,redis.host=r'])).toContain('postgres.existingSecret is required');
  });

  it('has no place for the gateway’s secrets either: only Secrets are named', () => {
    expect(failure(['--values', valuesFile('minimal'), '--set', 'gateway.auth.jwtSecret.value=hunter2'])).toMatch(
      /additional properties 'value' not allowed/,
    );
  });

  it('says a users file needs the HS256 secret that signs its users’ tokens', () => {
    expect(failure(['--values', valuesFile('minimal'), '--set', 'gateway.auth.usersSecret.name=people'])).toContain(
      'gateway.auth.usersSecret needs gateway.auth.jwtSecret.existingSecret',
    );
  });

  it('refuses an edge adapter entry GATEWAY_EDGE_ADAPTERS could not carry', () => {
    expect(
      failure([
        '--values',
        valuesFile('minimal'),
        '--set',
        'gateway.edgeAdapters[0].tenant=acme,gateway.edgeAdapters[0].site=pad-7,gateway.edgeAdapters[0].url=pad-7:9464',
      ]),
    ).toMatch(/edgeAdapters\/0\/url/);
  });

  it('sizes V8’s heap from each container’s memory limit: half of it for the old space, a semi-space of 8 MiB', () => {
    const objects = renderChart(chartDir, [valuesFile('minimal')], {
      set: [`functions.overrides.${functions[0]?.name}.resources.memoryLimit=1.5Gi`],
    });
    const containers = [...functions.map((fn) => fn.name), 'flowline-gateway'];
    for (const name of containers) {
      const deployment = findObject(objects, 'Deployment', name);
      if (!deployment) continue;
      const limit = containerOf(deployment).resources?.limits?.memory as string;
      expect(heapOptionsOf(deployment), name).toMatchObject({ old: Math.floor(mebibytes(limit) / 2), semi: 8 });
    }
    expect(heapOptionsOf(findObject(objects, 'Deployment', functions[0]?.name ?? '') as KubeObject).old).toBe(768);
  });

  it('leaves V8’s heap to a NODE_OPTIONS of the values, and says when a limit is too small for a heap', () => {
    const [first, second] = functions;
    if (!first || !second) return;
    const objects = renderChart(chartDir, [valuesFile('minimal')], {
      set: [`functions.overrides.${first.name}.env.NODE_OPTIONS=--max-old-space-size=300`, 'gateway.heap.enabled=false'],
    });
    const own = findObject(objects, 'Deployment', first.name) as KubeObject;
    expect((containerOf(own).env ?? []).filter((e) => e.name === 'NODE_OPTIONS')).toEqual([
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=300' },
    ]);
    expect(heapOptionsOf(findObject(objects, 'Deployment', second.name) as KubeObject).old).toBeDefined();
    expect(heapOptionsOf(findObject(objects, 'Deployment', 'flowline-gateway') as KubeObject).value).toBeUndefined();
    expect(failure(['--values', valuesFile('minimal'), '--set', `functions.overrides.${first.name}.resources.memoryLimit=40Mi`])).toContain(
      'a memory limit of 40Mi leaves V8 20 MiB of old space',
    );
  });

  it('gives the gateway and every function the invoke token, and each Dapr app and sidecar their two tokens, from Secrets', () => {
    const objects = renderChart(chartDir, [valuesFile('minimal')], {
      set: ['dapr.enabled=true', 'serviceAuth.daprApiTokenSecret=flowline-dapr-api-token'],
    });
    const secretRef = (o: KubeObject, name: string) =>
      (envOf(o).get(name)?.valueFrom as { secretKeyRef?: { name: string; key: string } } | undefined)?.secretKeyRef;
    const gateway = findObject(objects, 'Deployment', 'flowline-gateway') as KubeObject;
    expect(secretRef(gateway, 'FLOWLINE_INVOKE_TOKEN')).toEqual({ name: 'flowline-service-token', key: 'token' });
    for (const fn of functions) {
      const deployment = findObject(objects, 'Deployment', fn.name) as KubeObject;
      expect(secretRef(deployment, 'FLOWLINE_INVOKE_TOKEN'), fn.name).toEqual({ name: 'flowline-service-token', key: 'token' });
      expect(secretRef(deployment, 'APP_API_TOKEN'), fn.name).toEqual({ name: 'flowline-service-token', key: 'token' });
      expect(secretRef(deployment, 'DAPR_API_TOKEN'), fn.name).toEqual({ name: 'flowline-dapr-api-token', key: 'token' });
      const annotations = (deployment.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata
        .annotations;
      expect(annotations).toMatchObject({
        'dapr.io/app-token-secret': 'flowline-service-token',
        'dapr.io/api-token-secret': 'flowline-dapr-api-token',
      });
    }
  });

  it('renders no service token without Dapr but the invoke token, and none at all when service auth is off', () => {
    const kafkaOnly = renderChart(chartDir, [valuesFile('minimal')], { set: ['dapr.enabled=false'] });
    const fn = findObject(kafkaOnly, 'Deployment', functions[0]?.name ?? '') as KubeObject;
    expect(envOf(fn).get('FLOWLINE_INVOKE_TOKEN')?.valueFrom).toEqual({ secretKeyRef: { name: 'flowline-service-token', key: 'token' } });
    expect(envOf(fn).has('APP_API_TOKEN')).toBe(false);
    const off = renderChart(chartDir, [valuesFile('minimal')], { set: ['serviceAuth.enabled=false'] });
    for (const o of off.filter((o) => o.kind === 'Deployment')) expect(envOf(o).has('FLOWLINE_INVOKE_TOKEN'), o.metadata.name).toBe(false);
    expect(failure(['--values', valuesFile('minimal'), '--set', 'serviceAuth.existingSecret='])).toContain(
      'serviceAuth.existingSecret is required while serviceAuth.enabled',
    );
  });

  it('refuses an override for a function that does not exist', () => {
    expect(failure(['--values', valuesFile('minimal'), '--set', 'functions.overrides.no-such-function.scaling.maxReplicas=2'])).toContain(
      'functions.overrides.no-such-function: there is no function "no-such-function"',
    );
  });

  it('applies an override to one function only, and drops a disabled one from everything', () => {
    const [first, second] = functions;
    if (!first || !second) return;
    const objects = renderChart(chartDir, [valuesFile('minimal')], {
      set: [`functions.overrides.${first.name}.scaling.lagThreshold=4321`, `functions.overrides.${second.name}.enabled=false`],
    });
    const so = findObject(objects, 'ScaledObject', first.name) as KubeObject & {
      spec: { triggers: { metadata: Record<string, string> }[] };
    };
    expect(so.spec.triggers.map((t) => t.metadata.lagThreshold)).toEqual(first.subscribes.map(() => '4321'));
    expect(objects.filter((o) => o.metadata.name === second.name || (o as { scopes?: string[] }).scopes?.includes(second.name))).toEqual(
      [],
    );
  });
});
