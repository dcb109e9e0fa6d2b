import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Alarm, AuditLog } from '#contracts';
import { startSmtpReceiver } from '../../functions/notify/test-support/smtp-receiver.ts';
import { startWebhookReceiver } from '../../functions/notify/test-support/webhook-receiver.ts';
import { signatureHeader, timestampHeader, webhookSignature } from '../../functions/notify/webhook-channel.ts';
import { functionScratchDir, repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';

/**
 * notify on the kafka host as a process of its own: alarm events from the real broker,
 * the real Redis for live rooms, ledger and failures, a real webhook receiver and a
 * real SMTP server (STARTTLS) on loopback. The run has its own tenant, and its own copy
 * of the function under another name (its own consumer group), so it shares the broker
 * with other test runs safely.
 */
const { kafkaBrokers, redisUrl } = inject('services');
const id = randomUUID().slice(0, 8);
const tenant = `it-notify-${id}`;
const name = `notify-it-${id}`;
const secret = `hook-secret-${id}`;
let kafka: TestKafka;
let redis: Redis;
let subscriber: Redis;
let notify: FunctionProcess;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let deadHook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
const live: { room: string; type: string; data: Alarm }[] = [];

/** functions/notify as deployed, under a name of its own: same handler, same manifest otherwise. */
function notifyCopy(): string {
  const dir = join(functionScratchDir, name);
  mkdirSync(dir, { recursive: true });
  const manifest = load(readFileSync(join(repoRoot, 'functions', 'notify', 'function.yaml'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'function.yaml'), dump({ ...manifest, name }));
  const handler = pathToFileURL(join(repoRoot, 'functions', 'notify', 'handler.ts')).href;
  writeFileSync(join(dir, 'handler.ts'), `export { default } from '${handler}';\n`);
  return dir;
}

beforeAll(async () => {
  kafka = await connectTestKafka(kafkaBrokers);
  redis = new Redis(redisUrl);
  subscriber = new Redis(redisUrl);
  subscriber.on('message', (room: string, text: string) => live.push({ room, ...JSON.parse(text) }));
  await subscriber.subscribe(`live:alarms:${tenant}`, `live:alarms:${tenant}:critical`, `live:well:w-${id}`, `live:field:f-${id}`);
  hook = await startWebhookReceiver();
  deadHook = await startWebhookReceiver();
  deadHook.answerWith(500);
  smtp = await startSmtpReceiver({ user: 'flowline', password: `smtp-${id}` });

  const configDir = join(stateDir, 'tmp', name);
  mkdirSync(configDir, { recursive: true });
  const retry = { attempts: 3, initialDelayMs: 50, maxDelayMs: 200 };
  writeFileSync(
    join(configDir, 'channels.yaml'),
    dump({
      summaryEverySeconds: 10,
      channels: [
        { id: `hook-${id}`, tenant, kind: 'webhook', url: hook.url, signingSecretEnv: 'IT_NOTIFY_HOOK_SECRET', retry },
        { id: `dead-${id}`, tenant, kind: 'webhook', url: deadHook.url, retry },
        {
          id: `mail-${id}`,
          tenant,
          kind: 'email',
          smtp: {
            host: smtp.host,
            port: smtp.port,
            security: 'starttls',
            user: 'flowline',
            passwordEnv: 'IT_NOTIFY_SMTP_PASSWORD',
            rejectUnauthorized: false, // smtp-server's built-in certificate is self-signed
          },
          from: 'flowline@example.com',
          to: ['duty@example.com'],
          retry,
        },
      ],
      routes: [
        {
          tenant,
          minSeverity: 'CRITICAL',
          channels: [`hook-${id}`, `mail-${id}`, `dead-${id}`],
          escalate: [{ afterMinutes: 1, channels: [`hook-${id}`] }],
        },
      ],
    }),
  );
  await kafka.createTopics(['scada.alarms', 'system.audit-log'], 3);
  notify = await startFunctionProcess({
    dir: notifyCopy(),
    name,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_URL: redisUrl,
      FLOWLINE_CONFIG_DIR: configDir,
      IT_NOTIFY_HOOK_SECRET: secret,
      IT_NOTIFY_SMTP_PASSWORD: `smtp-${id}`,
    },
  });
  await notify.ready(90_000);
}, 180_000);

afterAll(async () => {
  await notify?.stop();
  subscriber?.disconnect();
  redis?.disconnect();
  await Promise.all([hook?.close(), deadHook?.close(), smtp?.close()]);
  await kafka?.close();
});

const alarm = (alarmId: string, extra: Partial<Alarm> = {}): Alarm => ({
  timestamp: Date.now(),
  alarmId,
  deviceId: `rtu-${id}`,
  tagId: 'tubing_pressure',
  severity: 'CRITICAL',
  message: 'tubing_pressure 1502 psi above HH 1450',
  value: 1502,
  threshold: 1450,
  condition: 'HH',
  transition: 'raised',
  state: 'UNACK_ACTIVE',
  tenantId: tenant,
  fieldId: `f-${id}`,
  wellId: `w-${id}`,
  ...extra,
});

describe('notify on the kafka host', () => {
  it('fans out live, notifies webhook and e-mail once, records a dead channel, summarises a flood and escalates', async () => {
    // A new consumer group starts at the end of the topic: wait until it is really reading.
    await until(
      async () => {
        await kafka.produce('scada.alarms', [{ key: `rtu-${id}`, data: alarm(`probe-${id}`, { severity: 'LOW' }) }]);
        await new Promise((r) => setTimeout(r, 500));
        return live.some((m) => m.data.alarmId === `probe-${id}`);
      },
      'notify to consume scada.alarms',
      60_000,
    );

    const raised = alarm(`a1-${id}`);
    const [eventId] = await kafka.produce('scada.alarms', [{ key: raised.deviceId, data: raised }]);
    await kafka.produce('scada.alarms', [{ key: raised.deviceId, data: raised, id: eventId as string }]); // redelivered
    await kafka.produce(
      'scada.alarms',
      Array.from({ length: 4 }, (_, i) => ({ key: raised.deviceId, data: alarm(`flood-${i}-${id}`, { flood: true }) })),
    );

    // Live: every event in the tenant, critical, well and field rooms; the redelivery not twice.
    await until(async () => live.filter((m) => m.data.alarmId.startsWith('flood-')).length === 16 || undefined, 'flood alarms live');
    const a1Live = live.filter((m) => m.data.alarmId === raised.alarmId);
    expect(a1Live.map((m) => m.room).sort()).toEqual(
      [`live:alarms:${tenant}`, `live:alarms:${tenant}:critical`, `live:field:f-${id}`, `live:well:w-${id}`].sort(),
    );
    expect(a1Live.every((m) => m.type === 'alarm:new')).toBe(true);

    // Webhook: once, signed; e-mail: once, over TLS.
    const request = await until(async () => hook.received.find((r) => r.json.kind === 'alarm'), 'the webhook');
    expect(request.json.notificationId).toBe(eventId);
    expect(request.headers[signatureHeader]).toBe(webhookSignature(secret, String(request.headers[timestampHeader]), request.body));
    const mail = await until(async () => smtp.messages[0], 'the e-mail');
    expect(mail.secure).toBe(true);
    expect(mail.headers['x-flowline-notification-id']).toBe(eventId);

    // The dead channel: tried three times, then listed for operators and audited on Kafka.
    const failure = await until(async () => {
      const entries = await redis.lrange(`notify:failures:${tenant}`, 0, -1);
      return entries.map((e) => JSON.parse(e)).find((f) => f.alarmId === raised.alarmId);
    }, 'the recorded failure');
    expect(failure).toMatchObject({ channel: `dead-${id}`, attempts: 3, notificationId: eventId });
    expect(failure.error).toMatch(/answered 500/);
    expect(deadHook.received.filter((r) => r.json.notificationId === eventId)).toHaveLength(3);
    const audit = await readAudit(eventId as string);
    expect(audit).toMatchObject({ action: 'notify.delivery.failed', outcome: 'failure', resource: `alarm/${raised.alarmId}` });
    const metrics = await (await fetch(`http://127.0.0.1:${notify.port}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`flowline_fn_${name.replaceAll('-', '_')}_delivery_failures_total\\{channel="dead-${id}",kind="alarm"\\} 1`),
    );

    // The flood: nothing one by one, then one summary of four.
    const summary = await until(async () => hook.received.find((r) => r.json.kind === 'summary'), 'the flood summary', 60_000);
    expect(summary.json.summary.counts).toEqual({ flood: 4, 'rate-limit': 0 });
    expect(hook.received.filter((r) => r.json.kind === 'alarm')).toHaveLength(1);

    // Escalation: an alarm the alarm function keeps active and unacknowledged for two minutes.
    const raisedAt = Date.now() - 2 * 60_000;
    const stale = `a2-${id}`;
    await redis
      .multi()
      .hset(`alarm:${stale}:state`, {
        alarmId: stale,
        tenantId: tenant,
        fieldId: `f-${id}`,
        wellId: `w-${id}`,
        deviceId: `rtu-${id}`,
        tagId: 'casing_pressure',
        condition: 'HH',
        severity: 'CRITICAL',
        state: 'UNACK_ACTIVE',
        message: 'casing_pressure 1250 psi above HH 1200',
        value: '1250',
        threshold: '1200',
        raisedAt: String(raisedAt),
        lastTransitionAt: String(raisedAt),
      })
      .zadd(`alarms:active:${tenant}`, 4e13 + raisedAt, stale)
      .exec();
    const escalation = await until(async () => hook.received.find((r) => r.json.kind === 'escalation'), 'the escalation', 60_000);
    expect(escalation.json.notificationId).toBe(`escalation:${stale}:${raisedAt}:1`);
    expect(hook.received.filter((r) => r.json.kind === 'alarm')).toHaveLength(1);
  });
});

/** The audit event for a notification, found among everything else on system.audit-log. */
async function readAudit(notificationId: string): Promise<AuditLog> {
  const consumer = kafka.kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: 'system.audit-log', fromBeginning: true });
  try {
    return await new Promise<AuditLog>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no audit event for ${notificationId} within 30 s`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const data = JSON.parse(message.value?.toString() ?? '{}').data as AuditLog | undefined;
            if (data?.correlationId === notificationId) {
              clearTimeout(timer);
              resolve(data);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
