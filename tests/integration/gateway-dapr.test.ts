import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { loadConfig } from '../../config/load.ts';
import { createGateway, type Gateway } from '../../gateway/app.ts';
import { tokenIssuer } from '../../gateway/auth/token-issuer.ts';
import { daprPublisher } from '../../gateway/bus/dapr-publisher.ts';
import { httpInvoker, invokeHeaders } from '../../gateway/invoke/http-invoker.ts';
import { kafkaLagSource } from '../../gateway/status/kafka-lag-source.ts';
import { until } from '../../gateway/testing/live-client.ts';
import { type Daprd, startDaprd } from '../../local-dev/services/daprd.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { createDaprClient } from '../../runtime/hosts/dapr/host.ts';
import { createKafka } from '../../runtime/hosts/kafka/client.ts';
import { loadManifest } from '../../runtime/load-function.ts';
import { openRedis } from '../../runtime/resources/redis.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';
import { type GatewayRun, prepareRun } from './gateway-fixtures.ts';

/**
 * The gateway on the dapr host: it publishes through a real daprd (pubsub.kafka on the
 * real broker) and invokes a function with Dapr service invocation of its app id. The
 * function (validate) runs as a Dapr app behind that same sidecar; how sidecars find
 * each other across pods (mDNS, Kubernetes DNS) is Dapr's own concern. As the chart runs
 * them: the sidecar's API demands DAPR_API_TOKEN and the app demands APP_API_TOKEN.
 */
const { kafkaBrokers, redisUrl } = inject('services');
const id = randomUUID().slice(0, 8);
let run: GatewayRun;
let kafka: TestKafka;
let fn: FunctionProcess;
let daprd: Daprd;
let gateway: Gateway;
let token: string;
let httpPort: number;
let redis: Awaited<ReturnType<typeof openRedis>>;
const appApiToken = randomBytes(24).toString('base64url');
const daprApiToken = randomBytes(24).toString('base64url');

beforeAll(async () => {
  run = prepareRun(id, ['validate']);
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(['scada.telemetry.raw', 'scada.telemetry.validated', 'system.audit-log'], 3);
  const name = run.fn('validate');
  const appPort = await freePort();
  httpPort = await freePort();
  const grpcPort = await freePort();
  fn = await startFunctionProcess({
    dir: join(run.functionsDir, name),
    name,
    port: appPort,
    env: {
      FLOWLINE_HOST: 'dapr',
      DAPR_HTTP_PORT: String(httpPort),
      REDIS_URL: redisUrl,
      FLOWLINE_CONFIG_DIR: run.configDir,
      APP_API_TOKEN: appApiToken,
      DAPR_API_TOKEN: daprApiToken,
    },
  });
  daprd = await startDaprd({
    appId: name,
    appPort,
    httpPort,
    grpcPort,
    resourcesPath: join(repoRoot, 'components'),
    env: {
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_HOST: new URL(redisUrl).host,
      REDIS_PASSWORD: '',
      APP_API_TOKEN: appApiToken,
      DAPR_API_TOKEN: daprApiToken,
    },
  });
  await fn.ready(90_000);

  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const sidecar = `http://127.0.0.1:${httpPort}`;
  const connection = { host: '127.0.0.1', httpPort, pubsubName: 'pubsub', stateStore: 'statestore', apiToken: daprApiToken };
  const secret = randomBytes(32);
  redis = await openRedis(redisUrl);
  const manifest = await loadManifest(join(run.functionsDir, name));
  process.env.FLOWLINE_CONFIG_DIR = run.configDir;
  gateway = createGateway({
    redis,
    publisher: daprPublisher(createDaprClient(connection, log), 'pubsub', sidecar),
    invoker: httpInvoker({
      names: [name],
      timeoutMs: 30_000,
      urlOf: (n) => `${sidecar}/v1.0/invoke/${n}/method/invoke`,
      headers: invokeHeaders({ FLOWLINE_HOST: 'dapr', DAPR_API_TOKEN: daprApiToken }),
    }),
    lag: kafkaLagSource(createKafka({ brokers: [kafkaBrokers], clientId: `gateway-${id}` }, log).admin(), [manifest]),
    assets: indexAssets(await loadConfig('assets', AssetRegistry)),
    auth: { tokens: { hs256Secret: secret, roleClaim: 'role', tenantClaim: 'tenant', nameClaim: 'name' } },
    log,
  });
  token = (
    await tokenIssuer({ secret, ttlSeconds: 600, clock: Date.now })({
      kind: 'user',
      id: 'ana',
      name: 'ana',
      role: 'admin',
      tenantId: run.tenantId,
    })
  ).token;
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await daprd?.stop();
  await fn?.stop();
  await redis?.quit();
  await kafka?.close();
}, 60_000);

const call = async (path: string, body: unknown) => {
  const res = await gateway.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const sample = (value: number, offset = 0) => ({
  timestamp: Date.now() + offset,
  deviceId: run.devices[0],
  tagId: 'tubing_pressure',
  value,
  quality: 192,
});

describe('gateway on the dapr host', () => {
  it('invokes a function through Dapr service invocation and answers what the function answers', async () => {
    const name = run.fn('validate');
    // Straight to the app, as its sidecar calls it.
    const direct = async (body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${fn.port}/invoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'dapr-api-token': appApiToken },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const shape = (a: { status: number; body: Record<string, unknown> }) => ({
      status: a.status,
      outcome: a.body.outcome,
      published: (a.body.published as { topic: string }[]).map((p) => p.topic),
    });
    // validate takes raw samples and the edge's compacted minutes: an invocation names which.
    const topic = 'scada.telemetry.raw';
    const ok = await call(`/v1/functions/${name}/invoke`, { topic, data: { ...sample(870), sourceProtocol: 'HTTP' } });
    expect(shape(ok)).toEqual({ status: 200, outcome: 'success', published: ['scada.telemetry.validated'] });
    expect(shape(ok)).toEqual(shape(await direct({ topic, data: { ...sample(871, 1), sourceProtocol: 'HTTP' } })));
    const bad = { topic, data: { ...sample(870), quality: 'good', sourceProtocol: 'HTTP' } };
    const rejected = await call(`/v1/functions/${name}/invoke`, bad);
    expect(rejected.status).toBe(422);
    expect(shape(rejected)).toEqual(shape(await direct(bad)));
  });

  it('refuses whoever lacks the tokens: the app without its app token, the sidecar without its API token', async () => {
    const name = run.fn('validate');
    const body = JSON.stringify({ topic: 'scada.telemetry.raw', data: { ...sample(880), sourceProtocol: 'HTTP' } });
    const post = (url: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const app = `http://127.0.0.1:${fn.port}`;
    const refused = await post(`${app}/invoke`, {});
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toMatch(/dapr-api-token/);
    expect((await post(`${app}/invoke`, { 'dapr-api-token': daprApiToken })).status).toBe(401); // the other token
    expect((await post(`${app}/invoke`, { authorization: `Bearer ${appApiToken}` })).status).toBe(401); // the right one, wrong header
    expect((await fetch(`${app}/dapr/subscribe`)).status).toBe(401);
    expect((await fetch(`${app}/healthz`)).status).toBe(200); // probes carry no token
    const sidecar = `http://127.0.0.1:${httpPort}/v1.0/invoke/${name}/method/invoke`;
    expect((await post(sidecar, {})).status).toBe(401);
    expect((await post(sidecar, { 'dapr-api-token': daprApiToken })).status).toBe(200);
  });

  it('publishes through the sidecar: the samples reach validate on Kafka, and the audit record too', async () => {
    const posted = await call('/v1/telemetry', { samples: [sample(955, 5_000)], batchId: `b-${id}` });
    expect(posted.status).toBe(202);
    await until(
      async () => {
        const current = await redis.hget(`telemetry:${run.wells[0]}:current`, 'tubing_pressure');
        return current !== null && JSON.parse(current).value === 955;
      },
      'validate to store the posted sample',
      90_000,
      250,
    );
    const [audit] = await kafka.readMatching('system.audit-log', (m) => m.key === run.tenantId && m.value.includes(`b-${id}`), 1, 60_000);
    expect(JSON.parse(audit?.value ?? '{}').data as AuditLog).toMatchObject({
      action: 'telemetry.ingest',
      correlationId: `b-${id}`,
      outcome: 'success',
    });
  });
});
