import { afterEach, describe, expect, it } from 'vitest';
import { type AlarmPoint, newAlarmPoint } from '../alarm/alarm-point.ts';
import { writePoints } from '../alarm/alarm-store.ts';
import { keys } from './keys.ts';
import { alarmEvent, type NotifyBed, notifyBed, quickRetry, t0 } from './test-support/notify-bed.ts';
import { startSmtpReceiver } from './test-support/smtp-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.ts';
import { signatureHeader, timestampHeader, webhookSignature } from './webhook-channel.ts';

let n: NotifyBed;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await n?.stop();
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  closers.push(r.close);
  return r;
}

const hook = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
  id,
  tenant: 'acme-energy',
  kind: 'webhook' as const,
  url,
  retry: quickRetry,
  ...extra,
});

describe('routing', () => {
  it('sends each alarm to the channels whose routes cover its tenant, field, severity and transition', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    n = await notifyBed({
      channels: [hook('control-room', a.url), hook('campo-sur', b.url), hook('other-co', c.url, { tenant: 'other-co' })],
      routes: [
        { tenant: 'acme-energy', minSeverity: 'HIGH', transitions: ['raised', 'cleared'], channels: ['control-room'] },
        { tenant: 'acme-energy', fields: ['campo-sur'], channels: ['campo-sur'] },
        { tenant: 'other-co', channels: ['other-co'] },
      ],
    });
    const cases = [
      alarmEvent({ alarmId: 'a1', severity: 'CRITICAL' }), // control-room
      alarmEvent({ alarmId: 'a2', severity: 'MEDIUM' }), // below HIGH, not campo-sur: nobody
      alarmEvent({ alarmId: 'a3', severity: 'HIGH', transition: 'cleared', state: 'NORMAL' }), // control-room
      alarmEvent({ alarmId: 'a4', severity: 'HIGH', transition: 'acknowledged', state: 'ACK_ACTIVE' }), // transition not routed
      alarmEvent({ alarmId: 'a5', severity: 'LOW', fieldId: 'campo-sur', wellId: 'sur-01' }), // campo-sur
      alarmEvent({ alarmId: 'a6', severity: 'CRITICAL', fieldId: 'campo-sur', wellId: 'sur-02' }), // both
      alarmEvent({ alarmId: 'a7', tenantId: 'other-co', fieldId: 'f9' }), // other-co only
      alarmEvent({ alarmId: 'a8', state: 'SHELVED' }), // shelved alarms are not announced
    ];
    for (const alarm of cases) n.publish(alarm);
    await n.bed.drained();
    const ids = (r: WebhookReceiver) => r.received.map((x) => x.json.alarm.alarmId).sort();
    expect(ids(a)).toEqual(['a1', 'a3', 'a6']);
    expect(ids(b)).toEqual(['a5', 'a6']);
    expect(ids(c)).toEqual(['a7']);
    expect(n.bed.deadLetters('scada.alarms')).toHaveLength(0);
  });

  it('posts JSON signed with the secret named in the configuration, with the authorization from the environment', async () => {
    const a = await receiver();
    n = await notifyBed(
      {
        channels: [hook('control-room', a.url, { signingSecretEnv: 'HOOK_SECRET', authorizationEnv: 'HOOK_AUTH' })],
        routes: [{ tenant: 'acme-energy', channels: ['control-room'] }],
      },
      { env: { HOOK_SECRET: 's3cret', HOOK_AUTH: 'Bearer t0ken' } },
    );
    const event = n.publish(alarmEvent());
    await n.bed.drained();
    const [request] = a.received;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer t0ken');
    expect(request?.headers['x-flowline-notification-id']).toBe(event.id);
    const timestamp = String(request?.headers[timestampHeader]);
    expect(request?.headers[signatureHeader]).toBe(webhookSignature('s3cret', timestamp, request?.body ?? ''));
    expect(request?.json).toMatchObject({
      kind: 'alarm',
      notificationId: event.id,
      tenantId: 'acme-energy',
      channel: 'control-room',
      alarm: { alarmId: 'rtu-w01.tubing_pressure.HH', severity: 'CRITICAL' },
    });
    expect(request?.json.subject).toBe('CRITICAL raised: norte-01 tubing_pressure HH');
  });

  it('e-mails through SMTP with STARTTLS and a password from the environment', async () => {
    const smtp = await startSmtpReceiver({ user: 'flowline', password: 'mail-pass' });
    closers.push(smtp.close);
    n = await notifyBed(
      {
        channels: [
          {
            id: 'supervisors',
            tenant: 'acme-energy',
            kind: 'email',
            smtp: {
              host: smtp.host,
              port: smtp.port,
              security: 'starttls',
              user: 'flowline',
              passwordEnv: 'SMTP_PASSWORD',
              // smtp-server's built-in certificate is self-signed.
              rejectUnauthorized: false,
            },
            from: 'Flowline <flowline@acme.example.com>',
            to: ['supervisors@acme.example.com', 'duty@acme.example.com'],
            retry: quickRetry,
          },
        ],
        routes: [{ tenant: 'acme-energy', channels: ['supervisors'] }],
      },
      { env: { SMTP_PASSWORD: 'mail-pass' } },
    );
    const event = n.publish(alarmEvent());
    await n.bed.drained();
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail?.secure).toBe(true);
    expect(mail?.to).toEqual(['supervisors@acme.example.com', 'duty@acme.example.com']);
    expect(mail?.headers.subject).toBe('[Flowline] CRITICAL raised: norte-01 tubing_pressure HH');
    expect(mail?.headers['x-flowline-notification-id']).toBe(event.id);
    expect(mail?.raw).toContain('tubing_pressure 1502 psi above HH 1450');
  });
});

describe('a raise already acknowledged', () => {
  /** The state the alarm function writes before it publishes the raise, with what happened since. */
  async function alarmState(condition: 'HH' | 'H', fields: Partial<AlarmPoint>) {
    const point = {
      ...newAlarmPoint({
        tenantId: 'acme-energy',
        fieldId: 'campo-norte',
        wellId: 'norte-01',
        deviceId: 'rtu-w01',
        tagId: 'tubing_pressure',
        condition,
        severity: 'CRITICAL',
        threshold: 1450,
        unit: 'psi',
      }),
      ...fields,
    };
    const multi = n.redis.multi();
    writePoints(multi, [point]);
    await multi.exec();
    return point.alarmId;
  }

  it('is not announced when the state shows this raise acknowledged (a pad’s crew during a cut); the console still hears of it', async () => {
    const room = await receiver();
    n = await notifyBed({ channels: [hook('control-room', room.url)], routes: [{ tenant: 'acme-energy', channels: ['control-room'] }] });
    // HH: raised at t0, acknowledged at the pad and cleared since, all before notify came to the raise.
    const acked = await alarmState('HH', { state: 'NORMAL', raisedAt: t0, acknowledgedAt: t0 + 4_000, acknowledgedBy: 'crew' });
    // H: the acknowledgement was of an earlier raise; this one (t0) is new.
    const earlier = await alarmState('H', { state: 'UNACK_ACTIVE', active: true, raisedAt: t0, acknowledgedAt: undefined });
    const live: string[] = [];
    const subscriber = n.redis.duplicate();
    await subscriber.subscribe('live:alarms:acme-energy');
    subscriber.on('message', (_channel, message) => live.push(message));
    n.publish(alarmEvent({ alarmId: acked, condition: 'HH', timestamp: t0 }));
    n.publish(alarmEvent({ alarmId: earlier, condition: 'H', timestamp: t0 }));
    n.publish(alarmEvent({ alarmId: acked, condition: 'HH', timestamp: t0 - 60_000 })); // an earlier raise of HH: not the one acknowledged
    n.publish(alarmEvent({ alarmId: 'rtu-w01.casing_pressure.HH', tagId: 'casing_pressure' })); // no state at all: announced
    // The acknowledgement that follows the raise (this route takes raises only, the default: not sent).
    n.publish(alarmEvent({ alarmId: acked, condition: 'HH', transition: 'acknowledged', state: 'ACK_ACTIVE', timestamp: t0 + 4_000 }));
    await n.bed.drained();
    expect(room.received.map((r) => `${r.json.alarm.alarmId} ${r.json.alarm.transition}@${r.json.alarm.timestamp - t0}`)).toEqual([
      `${earlier} raised@0`,
      `${acked} raised@-60000`,
      'rtu-w01.casing_pressure.HH raised@0',
    ]);
    expect(await n.metric('raises_not_announced_total')).toBe(1);
    await expect.poll(() => live.length).toBe(5);
    subscriber.disconnect();
  });
});

describe('de-duplication', () => {
  it('never notifies a channel twice for one event, however often it is delivered', async () => {
    const a = await receiver();
    n = await notifyBed({ channels: [hook('control-room', a.url)], routes: [{ tenant: 'acme-energy', channels: ['control-room'] }] });
    const alarm = alarmEvent();
    n.publish(alarm, 'evt-42');
    n.publish(alarm, 'evt-42');
    await n.bed.drained();
    n.clock.advance(3_600_000); // long after the de-duplication window: the ledger, not the window, says "done"
    n.publish(alarm, 'evt-42');
    await n.bed.drained();
    expect(a.received).toHaveLength(1);
    expect(await n.metric('notifications_total', { outcome: 'already-done' })).toBe(2);
    expect(await n.redis.get(keys.delivery('evt-42', 'control-room'))).toBe('sent');
  });

  it("waits out another replica's lease on a delivery rather than sending alongside it", async () => {
    const a = await receiver();
    n = await notifyBed({ channels: [hook('control-room', a.url)], routes: [{ tenant: 'acme-energy', channels: ['control-room'] }] });
    // A replica that died mid-delivery left its lease behind.
    await n.redis.set(keys.delivery('evt-9', 'control-room'), 'sending:another-replica', 'PX', 300);
    n.publish(alarmEvent(), 'evt-9');
    await n.bed.drained(30_000);
    expect(a.received).toHaveLength(1);
    expect(await n.redis.get(keys.delivery('evt-9', 'control-room'))).toBe('sent');
    // The handler said "retry" (not "done") while the lease was held.
    const retries = (await n.bed.metrics.retries.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(n.bed.deadLetters('scada.alarms')).toHaveLength(0);
  });

  it('tells a channel of the same alarm and transition once per window (a chattering alarm)', async () => {
    const a = await receiver();
    n = await notifyBed({
      dedupWindowSeconds: 300,
      channels: [hook('control-room', a.url)],
      routes: [{ tenant: 'acme-energy', transitions: ['raised', 'cleared'], channels: ['control-room'] }],
    });
    // The handler reads the clock: each step is drained before the clock moves on.
    const step = async (alarm: ReturnType<typeof alarmEvent>, advanceMs: number) => {
      n.clock.advance(advanceMs);
      n.publish({ ...alarm, timestamp: n.clock.now() });
      await n.bed.drained();
    };
    const raised = alarmEvent();
    await step(raised, 0);
    await step(alarmEvent({ transition: 'cleared', state: 'RTN_UNACK' }), 10_000);
    await step(raised, 10_000); // 20 s after the first raise: a repeat
    await step(raised, 299_999 - 20_000); // 1 ms short of the window
    await step(raised, 1); // the window has passed
    expect(a.received.map((r) => r.json.alarm.transition)).toEqual(['raised', 'cleared', 'raised']);
    expect(await n.metric('notifications_total', { outcome: 'duplicate' })).toBe(2);
  });
});

describe('a channel whose secret is not set', () => {
  it('sends nothing and records every notification for it as a failure naming the variable', async () => {
    const a = await receiver();
    n = await notifyBed({
      channels: [hook('control-room', a.url, { signingSecretEnv: 'NOT_SET_SECRET' })],
      routes: [{ tenant: 'acme-energy', channels: ['control-room'] }],
    });
    n.publish(alarmEvent());
    await n.bed.drained();
    expect(a.received).toHaveLength(0);
    const [entry] = (await n.redis.lrange(keys.failures('acme-energy'), 0, -1)).map((e) => JSON.parse(e));
    expect(entry).toMatchObject({ channel: 'control-room', attempts: 0, alarmId: 'rtu-w01.tubing_pressure.HH' });
    expect(entry.error).toMatch(/environment variable NOT_SET_SECRET is not set/);
  });
});
