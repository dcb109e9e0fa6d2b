import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AlarmAction, AuditLog } from '#contracts';
import { sha256Hex } from '../../gateway/auth/api-keys.ts';
import { type LiveClient, openLiveClient, until } from '../../gateway/testing/live-client.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';
import { type GatewayProcess, type GatewayRun, prepareRun, startGatewayProcess, writeCredentials } from './gateway-fixtures.ts';

/**
 * The gateway as deployed on the kafka host: `node gateway/main.ts` in front of
 * validate, alarm, notify and persist running as their own process, with a real Kafka,
 * Redis and PostgreSQL. Samples posted to the gateway come back to a browser's
 * WebSocket through the whole pipeline; an acknowledgement goes out on Kafka with its
 * audit record and comes back live; invocation answers what the function answers.
 */
const { kafkaBrokers, redisUrl, databaseUrl } = inject('services');
const id = randomUUID().slice(0, 8);
const password = `pw-${randomUUID()}`;
const apiKey = `flk_${randomBytes(16).toString('hex')}`;
const invokeToken = randomBytes(24).toString('base64url');
let run: GatewayRun;
let kafka: TestKafka;
let functions: FunctionProcess;
let gateway: GatewayProcess;
let dbUrl: string;
let operatorToken: string;

beforeAll(async () => {
  run = prepareRun(id, ['validate', 'alarm', 'notify', 'persist']);
  const { usersFile, keysFile } = await writeCredentials(run, password, { key: apiKey, sha256: sha256Hex(apiKey) });
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(
    [
      'scada.telemetry.raw',
      'scada.telemetry.validated',
      'scada.alarms',
      'scada.alarm-actions',
      'scada.commands.results',
      'system.audit-log',
    ],
    3,
  );
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE gateway_${id}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/gateway_${id}`;
  dbUrl = url.toString();

  // As the chart runs them: the functions take POST /invoke only with the gateway's token.
  const env = {
    KAFKA_BROKERS: kafkaBrokers,
    REDIS_URL: redisUrl,
    DATABASE_URL: dbUrl,
    FLOWLINE_CONFIG_DIR: run.configDir,
    FLOWLINE_INVOKE_TOKEN: invokeToken,
  };
  functions = await startFunctionProcess({
    dir: (['validate', 'alarm', 'notify', 'persist'] as const).map((name) => `${run.functionsDir}/${run.fn(name)}`),
    name: `gateway-pipeline-${id}`,
    env: { ...env, FLOWLINE_HOST: 'kafka' },
  });
  await functions.ready(120_000);
  gateway = await startGatewayProcess({
    ...env,
    FLOWLINE_HOST: 'kafka',
    FLOWLINE_FUNCTIONS_DIR: run.functionsDir,
    GATEWAY_FUNCTION_URL: `http://127.0.0.1:${functions.port}/invoke/{name}`,
    GATEWAY_JWT_SECRET: randomBytes(32).toString('hex'),
    GATEWAY_USERS_FILE: usersFile,
    GATEWAY_API_KEYS_FILE: keysFile,
    // The run's own group: the broker is shared with other tests and runs.
    GATEWAY_KAFKA_GROUP: `gateway-${id}`,
  });
  const session = await fetch(`${gateway.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `operator-${id}`, password }),
  });
  expect(session.status).toBe(200);
  operatorToken = ((await session.json()) as { token: string }).token;
}, 300_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await functions?.stop();
  await kafka?.close();
}, 60_000);

const call = async (method: string, path: string, init: { token?: string; key?: string; body?: unknown } = {}) => {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.key) headers['x-api-key'] = init.key;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const sample = (device: string, value: number, offset = 0) => ({
  timestamp: Date.now() + offset,
  deviceId: device,
  tagId: 'tubing_pressure',
  value,
  quality: 192,
});

describe('gateway on the kafka host', () => {
  let live: LiveClient;
  beforeAll(async () => {
    live = await openLiveClient(gateway.url, operatorToken);
    expect((await live.subscribe(`well:${run.wells[0]}`)).type).toBe('subscribed');
    expect((await live.subscribe(`alarms:${run.tenantId}`)).type).toBe('subscribed');
  }, 60_000);
  afterAll(async () => live?.close());

  it('brings posted samples back live, through Kafka, validate and Redis, and serves them as current values', async () => {
    const posted = await call('POST', '/v1/telemetry', { key: apiKey, body: { samples: [sample(run.devices[0], 900)] } });
    expect(posted.status).toBe(202);
    const update = await live.next((m) => m.type === 'telemetry:update' && m.data?.value === 900, 60_000);
    expect(update.data).toMatchObject({
      deviceId: run.devices[0],
      tenantId: run.tenantId,
      wellId: run.wells[0],
      status: 'good',
      unit: 'psi',
    });
    const current = await call('GET', `/v1/current?assetIds=${run.wells[0]}`, { token: operatorToken });
    expect(current.body.assets).toEqual([
      expect.objectContaining({
        assetId: run.wells[0],
        tags: [expect.objectContaining({ tagId: 'tubing_pressure', value: 900, deviceId: run.devices[0] })],
      }),
    ]);
  });

  it('acknowledges an alarm: the action and its audit record go out on Kafka, the new state comes back live', async () => {
    expect((await call('POST', '/v1/telemetry', { key: apiKey, body: { samples: [sample(run.devices[0], 1300, 1000)] } })).status).toBe(
      202,
    );
    const alarmId = `${run.devices[0]}.tubing_pressure.H`;
    await live.next((m) => m.type === 'alarm:new' && m.data?.alarmId === alarmId, 60_000);
    const ack = await call('POST', `/v1/alarms/${alarmId}/acknowledge`, {
      token: operatorToken,
      body: { comment: 'seen on the wall screen' },
    });
    expect(ack).toMatchObject({ status: 202, body: { stateBefore: 'UNACK_ACTIVE' } });
    const acked = await live.next((m) => m.type === 'alarm:ack' && m.data?.alarmId === alarmId, 60_000);
    expect(acked.data).toMatchObject({ state: 'ACK_ACTIVE', actor: `operator-${id}`, comment: 'seen on the wall screen' });

    const [action] = await kafka.readMatching('scada.alarm-actions', (m) => m.value.includes(alarmId), 1, 60_000);
    expect(JSON.parse(action?.value ?? '{}').data as AlarmAction).toMatchObject({ alarmId, action: 'acknowledge', tenantId: run.tenantId });
    const audits = await kafka.readMatching(
      'system.audit-log',
      (m) => m.key === run.tenantId && m.value.includes('alarm.acknowledge'),
      1,
      60_000,
    );
    expect(JSON.parse(audits[0]?.value ?? '{}').data as AuditLog).toMatchObject({
      action: 'alarm.acknowledge',
      resource: `alarm/${alarmId}`,
      outcome: 'success',
      actor: { userId: `operator-${id}`, role: 'operator' },
      source: 'flowline/gateway',
    });
  });

  it('files the edge’s command results read from Kafka under the device’s tenant, and pushes them to the system room', async () => {
    expect((await live.subscribe(`system:${run.tenantId}`)).type).toBe('subscribed');
    const commandId = `cmd-${id}`;
    // What an edge adapter answers on scada.commands.results (a CloudEvent keyed by device id).
    await kafka.produce('scada.commands.results', [
      {
        key: run.devices[0],
        data: {
          commandId,
          timestamp: Date.now(),
          siteId: `pad-${id}`,
          deviceId: run.devices[0],
          tagId: 'esp_frequency_setpoint',
          value: 90,
          status: 'refused',
          code: 'out-of-range',
          reason: 'value 90 is above the tag’s maximum 65',
          requestedBy: { userId: `operator-${id}`, role: 'operator' },
        },
      },
    ]);
    const pushed = await live.next((m) => m.type === 'command:result' && m.data?.commandId === commandId, 60_000);
    expect(pushed.room).toBe(`system:${run.tenantId}`);
    const listed = await call('GET', '/v1/commands/results', { token: operatorToken });
    expect(listed.body.results).toEqual([
      expect.objectContaining({ commandId, status: 'refused', code: 'out-of-range', deviceId: run.devices[0] }),
    ]);
    // Filed, then committed: a restarted gateway does not read it again.
    await until(
      async () => [...(await kafka.committed(`gateway-${id}`, 'scada.commands.results')).values()].some((offset) => offset > 0),
      'the gateway to commit the result it filed',
      30_000,
      250,
    );
  });

  it('invokes a function by name and answers exactly what the function answers', async () => {
    const name = run.fn('validate');
    const direct = async (body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${functions.port}/invoke/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${invokeToken}` },
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
    const ok = (offset: number) => ({ topic, data: { ...sample(run.devices[1], 880, offset), sourceProtocol: 'HTTP' } });
    const viaGateway = await call('POST', `/v1/functions/${name}/invoke`, { key: apiKey, body: ok(0) });
    expect(shape(viaGateway)).toEqual(shape(await direct(ok(1))));
    expect(shape(viaGateway)).toEqual({ status: 200, outcome: 'success', published: ['scada.telemetry.validated'] });
    const bad = { topic, data: { ...sample(run.devices[1], 880), value: 'high', sourceProtocol: 'HTTP' } };
    const rejected = await call('POST', `/v1/functions/${name}/invoke`, { key: apiKey, body: bad });
    expect(shape(rejected)).toEqual(shape(await direct(bad)));
    expect(rejected.status).toBe(422);
  });

  it('a function process refuses an invoke without the gateway’s token, and keeps its probes open', async () => {
    const url = `http://127.0.0.1:${functions.port}/invoke/${run.fn('validate')}`;
    const body = JSON.stringify({ topic: 'scada.telemetry.raw', data: { ...sample(run.devices[1], 880), sourceProtocol: 'HTTP' } });
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const refused = await post({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await refused.json()) as { error: string }).error).toMatch(/FLOWLINE_INVOKE_TOKEN/);
    expect((await post({ authorization: `Bearer ${invokeToken}x` })).status).toBe(401);
    expect((await post({ authorization: invokeToken })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${functions.port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${functions.port}/metrics`)).status).toBe(200);
  });

  it('serves history from PostgreSQL as persist stored it', async () => {
    await until(
      async () => {
        const h = await call(
          'GET',
          `/v1/history?deviceId=${run.devices[0]}&tagId=tubing_pressure&from=${Date.now() - 600_000}&to=${Date.now() + 60_000}`,
          {
            token: operatorToken,
          },
        );
        expect(h.status).toBe(200);
        return (h.body.points as { count: number }[]).reduce((n, p) => n + p.count, 0) === 2;
        // Once a second: the operator's read budget (600 a minute) is shared with the other tests.
      },
      'two stored samples',
      60_000,
      1_000,
    );
  });

  it('shows each function’s consumer lag and what KEDA would scale it to, read from Kafka', async () => {
    const status = await call('GET', '/v1/status/functions', { token: operatorToken });
    const rows = status.body.functions as {
      name: string;
      lag: number | null;
      replicas: { desired: number | null; min: number; max: number };
    }[];
    expect(rows.map((r) => r.name).sort()).toEqual((['alarm', 'notify', 'persist', 'validate'] as const).map((n) => run.fn(n)).sort());
    for (const row of rows) {
      expect(row.lag).toEqual(expect.any(Number));
      expect(row.replicas.desired).toEqual(expect.any(Number));
    }
  });

  it('tells live clients to resync when its Redis subscription was cut (pub/sub keeps nothing for the absent)', async () => {
    const redis = new Redis(redisUrl);
    const clients = (await redis.client('LIST')) as string;
    // The gateway process's own subscriber: named by openRedis, subscribed to this run's rooms.
    const subscriber = clients.split('\n').find((line) => line.includes('name=flowline-gateway') && /sub=[1-9]/.test(line));
    expect(subscriber).toBeDefined();
    const before = live.messages.length;
    await redis.client('KILL', 'ID', /id=(\d+)/.exec(subscriber ?? '')?.[1] ?? '');
    await redis.quit();
    await live.next((m) => live.messages.indexOf(m) >= before && m.type === 'resync' && m.room === `well:${run.wells[0]}`, 30_000);
    // And events flow again once ioredis has resubscribed.
    expect((await call('POST', '/v1/telemetry', { key: apiKey, body: { samples: [sample(run.devices[0], 1310, 2000)] } })).status).toBe(
      202,
    );
    await live.next((m) => m.type === 'telemetry:update' && m.data?.value === 1310, 60_000);
  });

  it('serves /metrics and /readyz like every Flowline process', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('flowline_gateway_requests_total');
    expect(metrics).toContain('flowline_gateway_live_connections{protocol="live"}');
    const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ redis: 'ok', bus: 'ok', postgres: 'ok' });
  });
});
