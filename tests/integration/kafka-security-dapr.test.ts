import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Daprd, startDaprd } from '../../local-dev/services/daprd.ts';
import type { SecureKafkaService } from '../../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { findObject, type KubeObject, renderChart } from '../support/helm.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';

/**
 * The dapr host on the secured broker, with the pub/sub component the chart renders for each
 * kind of Kafka security (charts/flowline/templates/dapr-pubsub.yaml): authType certificate
 * (TLS, the broker authenticated), password (SASL_SSL, SCRAM-SHA-512) and mtls (a client
 * certificate). A real daprd consumes and publishes for the probe function over each listener.
 * Self-hosted daprd has no Kubernetes Secrets: each secretKeyRef is replaced by the content of
 * the file the Secret would hold, the brokers by the listener's address, and initialOffset is
 * `oldest` so that the events produced before the sidecar joined are read.
 */
const { redisUrl } = inject('services');
const chartDir = join(repoRoot, 'charts', 'flowline');
const production = join(chartDir, 'ci', 'production-values.yaml');
const id = randomUUID().slice(0, 8);
let secure: SecureKafkaService;
let plain: TestKafka;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  secure = inject('secureKafka');
  plain = await connectTestKafka(secure.brokers);
}, 180_000);
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});
afterAll(async () => {
  await plain?.close();
});

type Metadata = { name: string; value?: string; secretKeyRef?: { name: string; key: string } };
type Component = KubeObject & { spec: { metadata: Metadata[] }; auth?: unknown; scopes?: string[] };

/** The chart's pub/sub component for these values, made runnable by a self-hosted daprd on loopback. */
function chartPubsub(set: string[], brokers: string): { component: Component; authType: string | undefined } {
  const rendered = findObject(renderChart(chartDir, [production], { set }), 'Component', 'flowline-pubsub') as Component;
  // What the production values' Secrets would hold (names and keys from ci/production-values.yaml and `set`).
  const secrets: Record<string, string> = {
    'kafka-cluster-ca/ca.crt': readFileSync(secure.pki.caCert, 'utf8'),
    'flowline-kafka-client/user.crt': readFileSync(secure.pki.client.cert, 'utf8'),
    'flowline-kafka-client/user.key': readFileSync(secure.pki.client.key, 'utf8'),
    'flowline-kafka-user/username': secure.scram.username,
    'flowline-kafka-user/password': secure.scram.password,
  };
  const metadata = rendered.spec.metadata
    .filter((m) => !['subscriptionScopes', 'publishingScopes'].includes(m.name))
    .map((m): Metadata => {
      if (m.name === 'brokers') return { name: m.name, value: brokers };
      if (m.name === 'initialOffset') return { name: m.name, value: 'oldest' };
      if (!m.secretKeyRef) return m;
      const value = secrets[`${m.secretKeyRef.name}/${m.secretKeyRef.key}`];
      if (value === undefined) throw new Error(`no test file for the Secret ${m.secretKeyRef.name}/${m.secretKeyRef.key}`);
      return { name: m.name, value };
    });
  const { auth: _auth, scopes: _scopes, ...component } = rendered;
  return {
    component: { ...component, spec: { ...rendered.spec, metadata } },
    authType: metadata.find((m) => m.name === 'authType')?.value,
  };
}

const cases = [
  { listener: 'SSL', set: ['kafka.sasl.mechanism=none'], authType: 'certificate', brokers: () => secure.ssl },
  { listener: 'SASL_SSL (SCRAM-SHA-512)', set: [], authType: 'password', brokers: () => secure.saslSsl },
  {
    listener: 'mutual TLS',
    set: [
      'kafka.sasl.mechanism=none',
      'kafka.tls.clientCertSecret.name=flowline-kafka-client',
      'kafka.tls.clientCertSecret.certKey=user.crt',
      'kafka.tls.clientCertSecret.keyKey=user.key',
    ],
    authType: 'mtls',
    brokers: () => secure.mtls,
  },
];

describe.each(cases)("the dapr host over $listener, with the chart's pub/sub component", ({ listener, set, authType, brokers }) => {
  it(`consumes and publishes through daprd (authType ${authType})`, async () => {
    const slug = listener.split(' ')[0]?.toLowerCase().replace('_', '-') ?? 'x';
    const topic = `test.secure-dapr-${id}-${slug}.in`;
    const out = `test.secure-dapr-${id}-${slug}.out`;
    const name = `secure-dapr-${slug}-${id}`;
    await plain.createTopics([topic, out, `${topic}.dlq`], 1);

    const { component, authType: rendered } = chartPubsub(set, brokers());
    expect(rendered).toBe(authType);
    const resources = join(stateDir, 'tmp', 'kafka-security-dapr', name);
    mkdirSync(resources, { recursive: true });
    writeFileSync(join(resources, 'pubsub.yaml'), dump(component));
    copyFileSync(join(repoRoot, 'components', 'statestore.yaml'), join(resources, 'statestore.yaml'));

    const items = Array.from({ length: 10 }, (_, seq) => ({ key: `dev-${seq % 2}`, data: { key: `dev-${seq % 2}`, seq, action: 'ok' } }));
    await plain.produce(topic, items);
    const dir = fixtureFunction('probe', { name, subscribes: [topic], publishes: [out], needs: ['redis'] });
    const [appPort, httpPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
    const proc: FunctionProcess = await startFunctionProcess({
      dir,
      name,
      port: appPort,
      env: {
        FLOWLINE_HOST: 'dapr',
        DAPR_HTTP_PORT: String(httpPort),
        DAPR_PUBSUB_NAME: 'flowline-pubsub',
        REDIS_URL: redisUrl,
        FIXTURE_TOPIC: topic,
        FIXTURE_OUT: out,
      },
    });
    running.push(proc);
    const daprd: Daprd = await startDaprd({
      appId: name,
      appPort,
      httpPort,
      grpcPort,
      resourcesPath: resources,
      env: { REDIS_HOST: new URL(redisUrl).host, REDIS_PASSWORD: '' },
    });
    running.push(daprd);
    await proc.ready();

    const produced = await plain.readAll(out, items.length, 90_000);
    expect(produced.map((m) => (JSON.parse(m.value) as { data: { doubled: number } }).data.doubled).sort((a, b) => a - b)).toEqual(
      items.map((i) => i.data.seq * 2),
    );
  });
});
