import { afterEach, describe, expect, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { keys } from './keys.ts';
import { alarmEvent, type NotifyBed, notifyBed, quickRetry } from './test-support/notify-bed.ts';
import { type SmtpReceiver, startSmtpReceiver } from './test-support/smtp-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.ts';

let n: NotifyBed;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await n?.stop();
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function withWebhook(options: { failuresKept?: number } = {}): Promise<WebhookReceiver> {
  const hook = await startWebhookReceiver();
  closers.push(hook.close);
  n = await notifyBed({
    ...options,
    channels: [{ id: 'control-room', tenant: 'acme-energy', kind: 'webhook', url: hook.url, retry: quickRetry }],
    routes: [{ tenant: 'acme-energy', channels: ['control-room'] }],
  });
  return hook;
}

async function withEmail(): Promise<SmtpReceiver> {
  const smtp = await startSmtpReceiver();
  closers.push(smtp.close);
  n = await notifyBed({
    channels: [
      {
        id: 'supervisors',
        tenant: 'acme-energy',
        kind: 'email',
        smtp: { host: smtp.host, port: smtp.port, security: 'none' },
        from: 'flowline@acme.example.com',
        to: ['supervisors@acme.example.com'],
        retry: quickRetry,
      },
    ],
    routes: [{ tenant: 'acme-energy', channels: ['supervisors'] }],
  });
  return smtp;
}

const failures = async () => (await n.redis.lrange(keys.failures('acme-energy'), 0, -1)).map((e) => JSON.parse(e));
const audits = () => n.bed.events<AuditLog>('system.audit-log').map((e) => e.data);

describe('failed deliveries', () => {
  it('retries a webhook answering 500, then records the failure where operators look, and acknowledges the event', async () => {
    const hook = await withWebhook();
    hook.answerWith(500);
    const event = n.publish(alarmEvent());
    await n.bed.drained();

    expect(hook.received).toHaveLength(quickRetry.attempts);
    const [failure] = await failures();
    expect(failure).toMatchObject({
      tenantId: 'acme-energy',
      channel: 'control-room',
      kind: 'alarm',
      alarmId: 'rtu-w01.tubing_pressure.HH',
      notificationId: event.id,
      attempts: 3,
    });
    expect(failure.error).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hook answered 500: refused with 500$/);
    expect(Number.isNaN(Date.parse(failure.time))).toBe(false);
    expect(await n.metric('delivery_failures_total', { channel: 'control-room', kind: 'alarm' })).toBe(1);
    expect(audits()).toEqual([
      expect.objectContaining({
        action: 'notify.delivery.failed',
        outcome: 'failure',
        resource: 'alarm/rtu-w01.tubing_pressure.HH',
        correlationId: event.id,
        actor: { userId: 'notify', role: 'system' },
        details: expect.objectContaining({ channel: 'control-room', attempts: 3 }),
      }),
    ]);
    // Nothing thrown: no dead letter, nothing left to redeliver.
    expect(n.bed.deadLetters('scada.alarms')).toHaveLength(0);
  });

  it('does not try again, nor list the failure twice, when the event is redelivered; the audit fact is repeated under its id', async () => {
    const hook = await withWebhook();
    hook.answerWith(500);
    const alarm = alarmEvent();
    n.publish(alarm, 'evt-7');
    await n.bed.drained();
    n.publish(alarm, 'evt-7');
    await n.bed.drained();
    expect(hook.received).toHaveLength(quickRetry.attempts);
    expect(await failures()).toHaveLength(1);
    const [first, again] = audits();
    expect(again?.auditId).toBe(first?.auditId);
  });

  it('gives up on a webhook that does not answer within its timeout', async () => {
    const hook = await startWebhookReceiver();
    closers.push(hook.close);
    hook.answerWith(0);
    n = await notifyBed({
      channels: [{ id: 'control-room', tenant: 'acme-energy', kind: 'webhook', url: hook.url, timeoutMs: 100, retry: quickRetry }],
      routes: [{ tenant: 'acme-energy', channels: ['control-room'] }],
    });
    n.publish(alarmEvent());
    await n.bed.drained();
    expect(hook.received).toHaveLength(quickRetry.attempts);
    const [failure] = await failures();
    expect(failure).toMatchObject({ attempts: 3 });
    expect(failure.error).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/hook: no answer within 100 ms$/);
  });

  it('succeeds on a later attempt without recording anything', async () => {
    const hook = await withWebhook();
    hook.answerWith(() => (hook.received.length < 3 ? 502 : 200));
    n.publish(alarmEvent());
    await n.bed.drained();
    expect(hook.received).toHaveLength(3);
    expect(await failures()).toEqual([]);
    expect(await n.metric('notifications_total', { outcome: 'sent' })).toBe(1);
  });

  it('gives up at once on a 4xx that will not change, but retries 429', async () => {
    const hook = await withWebhook();
    hook.answerWith(404);
    n.publish(alarmEvent({ alarmId: 'a1' }));
    await n.bed.drained();
    expect(hook.received).toHaveLength(1);
    hook.answerWith(429);
    n.publish(alarmEvent({ alarmId: 'a2' }));
    await n.bed.drained();
    expect(hook.received).toHaveLength(1 + quickRetry.attempts);
    expect((await failures()).map((f) => [f.alarmId, f.attempts])).toEqual([
      ['a2', 3],
      ['a1', 1],
    ]);
  });

  it('keeps only the newest failures, up to failuresKept', async () => {
    const hook = await withWebhook({ failuresKept: 10 });
    hook.answerWith(400);
    for (let i = 0; i < 12; i++) n.publish(alarmEvent({ alarmId: `a${i}`, deviceId: `rtu-${i}` }), `evt-${i}`);
    await n.bed.drained();
    const kept = await failures();
    expect(kept).toHaveLength(10);
    expect(await n.metric('delivery_failures_total')).toBe(12);
    expect(new Set(kept.map((f) => f.alarmId)).size).toBe(10);
  });

  it('retries an SMTP relay answering 451, then records the failure', async () => {
    const smtp = await withEmail();
    smtp.refuseWith(451);
    n.publish(alarmEvent());
    await n.bed.drained();
    expect(smtp.attempts()).toBe(quickRetry.attempts);
    expect(smtp.messages).toHaveLength(0);
    const [failure] = await failures();
    expect(failure).toMatchObject({ channel: 'supervisors', attempts: 3 });
    expect(failure.error).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*451/);
  });

  it('gives up at once when the SMTP relay refuses for good (5xx)', async () => {
    const smtp = await withEmail();
    smtp.refuseWith(550);
    n.publish(alarmEvent());
    await n.bed.drained();
    expect(smtp.attempts()).toBe(1);
    expect((await failures())[0]).toMatchObject({ channel: 'supervisors', attempts: 1 });
    smtp.refuseWith(undefined);
    n.publish(alarmEvent({ alarmId: 'next' }));
    await n.bed.drained();
    expect(smtp.messages).toHaveLength(1);
  });
});
