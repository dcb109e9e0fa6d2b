import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alarm, AlarmAction, AuditLog, TelemetryRaw } from '#contracts';
import { Quality } from '../../contracts/quality.ts';
import { pollCounterAddress, scratchBase } from '../../edge-adapter/simulators/modbus-image.ts';
import { ModbusSimulator } from '../../edge-adapter/simulators/modbus-simulator.ts';
import { WellPad } from '../../edge-adapter/simulators/well-pad.ts';
import { alarmIdOf } from '../../functions/alarm/alarm-point.ts';
import { hashPassword } from '../../gateway/auth/password-hash.ts';
import { startKafka, stopKafka } from '../../local-dev/services/kafka.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { envPort } from '../../local-dev/services/process.ts';
import { projectTempDir } from '../support/edge-harness.ts';
import { type EdgeProcess, startEdgeProcess } from '../support/edge-process.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, type TopicMessage, until } from '../support/kafka.ts';
import { LinkProxy } from '../support/link-proxy.ts';
import { createTestTenant, type TestTenant } from '../support/test-tenant.ts';

/**
 * An edge site that runs alone (`npm run edge:site`), its WAN link cut while a limit is
 * crossed, the site restarted during the cut. The site is a real process: the edge adapter
 * reading a Modbus RTU (the simulator, its tubing pressure in a register the test sets),
 * validate, alarm and notify on the memory host, and the pad's console. "Central" is a real Kafka of this file's own, reached by the
 * site only through a link listener behind a proxy the test cuts (as tests/faults/edge-link),
 * with validate and alarm on the kafka host against the integration setup's Redis.
 *
 * During the cut the pad's console must show the alarm, take the crew's acknowledgement and
 * apply a setpoint they ask for, and its notify must reach a webhook on the pad's network.
 * After the link is mended the central side must hold every sample read, once after dedup,
 * in order, the same alarm raised at the sample's own time, the pad's acknowledgement applied
 * once (even when delivered again), and the command's result and audit record once.
 */
const { redisUrl, databaseUrl } = inject('services');
const port = envPort('FLOWLINE_EDGE_SITE_KAFKA_PORT', 19392);
const link = { port: port + 2, advertisedPort: port + 3 };
const instance = 'edge-site';
const brokers = `127.0.0.1:${port}`;
const proxy = new LinkProxy(link.advertisedPort, link.port);
const dir = projectTempDir('edge-site');
const simulator = new ModbusSimulator({ pad: new WellPad({ seed: 11 }), port: 0 });
const pressureRegister = scratchBase; // unit 1, holding register: the test is the well
const chokeRegister = scratchBase + 1;
const topics = [
  'scada.telemetry.raw',
  'scada.telemetry.validated',
  'scada.alarms',
  'scada.alarm-actions',
  'system.audit-log',
  'scada.commands',
  'scada.commands.results',
];

let tenant: TestTenant;
let kafka: TestKafka;
let redis: Redis;
let central: FunctionProcess;
let site: EdgeProcess | undefined;
let hook: Server;
const hookCalls: { alarmId: string; transition: string }[] = [];

beforeAll(async () => {
  const webhookReady = new Promise<void>((resolve) => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const alarm = (JSON.parse(body) as { alarm?: Alarm }).alarm;
        if (alarm) hookCalls.push({ alarmId: alarm.alarmId, transition: alarm.transition });
        res.writeHead(204).end();
      });
    }).listen(0, '127.0.0.1', resolve);
  });
  await Promise.all([startKafka({ port, instance, link }), proxy.restore(), simulator.start(), webhookReady]);
  simulator.image.writeRegisters(1, pressureRegister, [1000]);
  kafka = await connectTestKafka(brokers);
  await kafka.createTopics(topics, 3);
  redis = new Redis(redisUrl);
  tenant = await createTestTenant({ databaseUrl, prefix: 'edge_site' });
  writeFileSync(
    join(tenant.configDir, 'channels.yaml'),
    `channels:
  - { id: pad-radio-room, tenant: ${tenant.tenant}, kind: webhook, url: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/alarms" }
routes:
  - { tenant: ${tenant.tenant}, transitions: [raised], channels: [pad-radio-room] }
`,
  );
  central = await startFunctionProcess({
    dir: ['functions/validate', 'functions/alarm'].map((d) => join(repoRoot, d)),
    name: `edge-site-central-${tenant.id}`,
    env: { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: brokers, REDIS_URL: redisUrl, FLOWLINE_CONFIG_DIR: tenant.configDir },
  });
  await central.ready(90_000);
}, 300_000);

afterAll(async () => {
  await site?.kill();
  await central?.stop();
  await proxy.cut();
  await simulator.stop();
  hook?.close();
  redis?.disconnect();
  await kafka?.close();
  await stopKafka({ instance });
}, 120_000);

/** Every message of `topic` up to its end now, that `matches`. */
async function readToEnd(topic: string, matches: (m: TopicMessage) => boolean): Promise<TopicMessage[]> {
  const ends = await kafka.admin.fetchTopicOffsets(topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const all = await kafka.readAll(topic, total, 60_000);
  return all.filter(matches).sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

const dataOf = <T>(m: TopicMessage) => JSON.parse(m.value) as { id: string; data: T };

describe('an edge site running alone through a WAN cut', () => {
  it('alarms and takes the acknowledgement at the pad; after the cut the central side has every sample, the alarm and the acknowledgement once', {
    timeout: 240_000,
  }, async () => {
    const rtu = tenant.devices[0];
    const alarmId = alarmIdOf(rtu, 'tubing_pressure', 'H');
    const httpPort = await freePort();
    const consolePort = await freePort();
    const configFile = join(dir, `site-${tenant.id}.yaml`);
    writeFileSync(
      configFile,
      `# written by tests/integration/edge-site.test.ts
site: pad-${tenant.id}
stateDir: ${JSON.stringify(join(dir, tenant.id))}
http: { host: 127.0.0.1, port: ${httpPort} }
kafka: { brokers: [127.0.0.1:${link.advertisedPort}] }
buffer: { path: buffer.sqlite, maxSamples: 1000000 }
devices:
  - id: ${rtu}
    protocol: modbus
    host: 127.0.0.1
    port: ${simulator.port}
    unitId: 1
    pollIntervalMs: 200
    timeoutMs: 5000
    tags:
      - { id: poll-counter, table: input-register, address: ${pollCounterAddress}, type: uint32 }
      - { id: tubing_pressure, table: holding-register, address: ${pressureRegister}, type: uint16, unit: psi }
      - { id: choke_setpoint, table: holding-register, address: ${chokeRegister}, type: uint16, writable: { min: 0, max: 100 } }
`,
    );
    const usersFile = join(dir, `users-${tenant.id}.yaml`);
    writeFileSync(
      usersFile,
      `users:\n  - { username: crew, role: operator, tenantId: ${tenant.tenant}, passwordHash: "${await hashPassword('pad-crew-pw')}" }\n`,
    );
    const startSite = (name: string) =>
      startEdgeProcess({
        script: join(repoRoot, 'edge-site', 'main.ts'),
        configFile,
        httpPort,
        name: `edge-site-${tenant.id}-${name}`,
        env: { PORT: String(consolePort), HOST: '127.0.0.1', GATEWAY_USERS_FILE: usersFile, FLOWLINE_CONFIG_DIR: tenant.configDir },
      });
    site = startSite('first');
    const pad = `http://127.0.0.1:${consolePort}`;
    const signIn = await until(
      async () =>
        fetch(`${pad}/v1/auth/sign-in`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'crew', password: 'pad-crew-pw' }),
        })
          .then(async (r) => (r.ok ? ((await r.json()) as { token: string }) : undefined))
          .catch(() => undefined),
      "the pad's console up",
      60_000,
    );
    const auth = { authorization: `Bearer ${signIn.token}` };
    const padAlarm = async () => {
      const list = (await (await fetch(`${pad}/v1/alarms`, { headers: auth })).json()) as {
        active: { alarmId: string; state: string; raisedAt?: number }[];
      };
      return list.active.find((a) => a.alarmId === alarmId);
    };
    const centralState = () => redis.hgetall(`alarm:${alarmId}:state`);

    // Linked: samples flow to the central side, which evaluates the tag (at rest).
    await until(
      async () => (await redis.exists(`alarm:tag:${rtu}:tubing_pressure`)) === 1 || undefined,
      'central evaluating the pad',
      60_000,
    );

    await proxy.cut();
    const cutAt = Date.now();
    simulator.image.writeRegisters(1, pressureRegister, [1300]); // past H (1200)
    const raised = await until(
      async () => (await padAlarm())?.state === 'UNACK_ACTIVE' && padAlarm(),
      "the alarm on the pad's console",
      30_000,
    );
    const shownAfterMs = Date.now() - cutAt;
    expect(raised.raisedAt).toBeGreaterThanOrEqual(cutAt - 1_000);

    const ack = await fetch(`${pad}/v1/alarms/${alarmId}/acknowledge`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ comment: 'choke checked at the pad' }),
    });
    expect(ack.status).toBe(202);
    await until(async () => (await padAlarm())?.state === 'ACK_ACTIVE' || undefined, 'the acknowledgement on the pad', 30_000);
    await until(async () => hookCalls.some((c) => c.alarmId === alarmId) || undefined, "the pad's webhook told", 30_000);
    expect(hookCalls.filter((c) => c.alarmId === alarmId)).toEqual([{ alarmId, transition: 'raised' }]);
    // A setpoint asked at the pad's console is applied at the pad, and answered there.
    const asked = await fetch(`${pad}/v1/commands`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ siteId: `pad-${tenant.id}`, deviceId: rtu, tagId: 'choke_setpoint', value: 42, reason: 'open the choke' }),
    });
    expect(asked.status).toBe(202);
    const { commandId } = (await asked.json()) as { commandId: string };
    const padResult = await until(
      async () => {
        const r = (await (await fetch(`${pad}/v1/commands/results`, { headers: auth })).json()) as {
          results: { commandId: string; status: string }[];
        };
        return r.results.find((x) => x.commandId === commandId);
      },
      "the command's result on the pad",
      30_000,
    );
    expect(padResult.status).toBe('applied');
    expect(simulator.image.scratch().words[1]).toBe(42);

    simulator.image.writeRegisters(1, pressureRegister, [1000]); // back to normal: cleared at the pad
    await until(async () => ((await padAlarm()) === undefined ? true : undefined), 'the alarm cleared on the pad', 30_000);

    // Nothing of it reached the central side while the link was cut.
    const centralDuring = await centralState();
    expect(centralDuring.state ?? 'NORMAL').toBe('NORMAL');
    expect(centralDuring.raisedAt).toBeUndefined();
    // The site says so itself (a send unanswered for 10 s, or refused), and holds what the central side lacks.
    const during = await site.healthWhen('the site to report its link down', (h) => h.sink.state === 'unreachable', 30_000);
    expect(during.buffer.depth).toBeGreaterThan(0);
    expect(during.buffer.pendingEvents).toBeGreaterThanOrEqual(2); // the action and its audit record, waiting
    const edgeView = (await (await fetch(`${pad}/v1/status/edge`, { headers: auth })).json()) as {
      sites: { site: string; sink?: { state: string } }[];
    };
    expect(edgeView.sites).toEqual([
      expect.objectContaining({ site: `pad-${tenant.id}`, sink: expect.objectContaining({ state: 'unreachable' }) }),
    ]);

    // The box restarts during the cut (SIGTERM): what waits in the buffer file is there for the next process.
    const firstRun = await site.stop();
    expect(firstRun.code).toBe(0);
    const firstSummary = firstRun.summary;
    if (!firstSummary) throw new Error(`the first site logged no summary; see ${firstRun.logFile}`);
    expect(firstSummary.bufferDepth).toBeGreaterThan(0);
    site = startSite('second');
    await site.healthWhen(
      'the restarted site reading, its backlog and waiting events kept',
      (h) => h.buffer.depth > firstSummary.bufferDepth && h.buffer.pendingEvents >= 2,
      60_000,
    );
    const cutMs = Date.now() - cutAt;

    await proxy.restore();
    const backAt = Date.now();
    await site.healthWhen(
      'the backlog forwarded',
      (h) =>
        h.sink.state === 'connected' &&
        h.buffer.pendingEvents === 0 &&
        (h.buffer.oldestSampleAt === null || Date.parse(h.buffer.oldestSampleAt) >= backAt),
      90_000,
    );
    // The central alarm: raised at the sample's own time, acknowledged by the crew, cleared.
    const final = await until(
      async () => {
        const s = await centralState();
        return s.state === 'NORMAL' && s.acknowledgedBy ? s : undefined;
      },
      'the central alarm raised, acknowledged and cleared',
      60_000,
    );
    const recoveredMs = Date.now() - backAt;
    expect(Number(final.raisedAt)).toBe(raised.raisedAt);
    expect(final.acknowledgedBy).toBe('crew');

    const stopped = await site.stop();
    site = undefined;
    expect(stopped.code).toBe(0);
    const summary = stopped.summary;
    if (!summary) throw new Error(`the site logged no summary; see ${stopped.logFile}`);
    expect(summary.bufferDepth).toBe(0);
    expect(firstSummary.dropped + summary.dropped).toBe(0);
    const samplesRead = firstSummary.samplesRead + summary.samplesRead;

    // Every sample read is on the central raw topic, once after dedup, in read order.
    const raw = (await readToEnd('scada.telemetry.raw', (m) => m.key === rtu)).map((m) => ({ m, e: dataOf<TelemetryRaw>(m) }));
    const firstSeen = new Map<string, (typeof raw)[number]>();
    for (const r of raw) {
      const key = `${r.e.data.tagId}|${r.e.data.timestamp}`;
      if (!firstSeen.has(key)) firstSeen.set(key, r);
      expect(r.e.id).toBe(firstSeen.get(key)?.e.id);
    }
    const unique = [...firstSeen.values()];
    expect(unique.length).toBe(samplesRead);
    expect(new Set(unique.map((r) => r.m.partition)).size).toBe(1);
    const times = unique.filter((r) => r.e.data.tagId === 'poll-counter').map((r) => r.e.data.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const counter = unique.filter((r) => r.e.data.tagId === 'poll-counter' && r.e.data.quality === Quality.GOOD).map((r) => r.e.data.value);
    expect(counter).toEqual(Array.from({ length: counter.length }, (_, i) => (counter[0] ?? 1) + i));

    // The pad's acknowledgement reached the central side with who, when and the comment, and the raise it acted on.
    const actions = await readToEnd('scada.alarm-actions', (m) => dataOf<AlarmAction>(m).data.alarmId === alarmId);
    expect(new Set(actions.map((m) => dataOf<AlarmAction>(m).id)).size).toBe(1);
    const action = dataOf<AlarmAction>(actions[0] as TopicMessage);
    expect(action.data).toMatchObject({
      action: 'acknowledge',
      actor: 'crew',
      comment: 'choke checked at the pad',
      raisedAt: raised.raisedAt,
    });
    const audits = await readToEnd('system.audit-log', (m) => dataOf<AuditLog>(m).data.resource === `alarm/${alarmId}`);
    expect(new Set(audits.map((m) => dataOf<AuditLog>(m).id)).size).toBe(1);
    const results = await readToEnd('scada.commands.results', (m) => JSON.parse(m.value).data.commandId === commandId);
    expect(new Set(results.map((m) => JSON.parse(m.value).id)).size).toBe(1);
    expect(JSON.parse(results[0]?.value ?? '{}').data).toMatchObject({ commandId, status: 'applied' });

    // Delivered again (the buffer sends at least once): applied once all the same.
    const transitions = async () => {
      const alarms = (await readToEnd('scada.alarms', (m) => dataOf<Alarm>(m).data.alarmId === alarmId)).map((m) => dataOf<Alarm>(m));
      const byId = new Map(alarms.map((a) => [a.id, a.data]));
      return { sent: alarms.length, distinct: [...byId.values()].map((a) => `${a.transition} ${a.state} ${a.timestamp}`) };
    };
    const before = await until(
      async () => {
        const t = await transitions();
        return t.distinct.length >= 3 ? t : undefined;
      },
      'the central alarm events',
      30_000,
    );
    await kafka.producer.send({
      topic: 'scada.alarm-actions',
      acks: -1,
      messages: [{ key: actions[0]?.key ?? rtu, value: actions[0]?.value ?? '' }],
    });
    // The alarm function answers a redelivery by republishing what it announced the first time, under the same id.
    await until(async () => ((await transitions()).sent > before.sent ? true : undefined), 'the redelivered action answered', 30_000);
    const { sent, distinct } = await transitions();
    expect(distinct).toEqual([
      `raised UNACK_ACTIVE ${raised.raisedAt}`,
      `acknowledged ACK_ACTIVE ${action.data.timestamp}`,
      expect.stringMatching(/^cleared NORMAL \d+$/),
    ]);
    expect(await centralState()).toMatchObject({ state: 'NORMAL', acknowledgedBy: 'crew' });
    expect(await redis.sismember('alarm:deferred', alarmId)).toBe(0);

    console.log(
      `edge site: cut ${cutMs} ms; alarm on the pad ${shownAfterMs} ms after the cut; central caught up ${recoveredMs} ms after the link came back; ` +
        `${samplesRead} samples read (two runs of the site), ${unique.length} distinct centrally (${raw.length} messages); ` +
        `${hookCalls.filter((c) => c.alarmId === alarmId).length} webhook call(s) at the pad; ${sent} alarm events centrally, ${distinct.length} distinct`,
    );
  });
});
