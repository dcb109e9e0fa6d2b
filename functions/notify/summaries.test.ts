import { afterEach, describe, expect, it } from 'vitest';
import { keys } from './keys.ts';
import { alarmEvent, type NotifyBed, notifyBed, quickRetry, t0 } from './test-support/notify-bed.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.ts';

let n: NotifyBed;
let hook: WebhookReceiver;
afterEach(async () => {
  await n?.stop();
  await hook?.close();
});

async function setup(extra: { rateLimit?: { max: number; perSeconds: number }; summaryEverySeconds?: number } = {}) {
  hook = await startWebhookReceiver();
  n = await notifyBed({
    summaryEverySeconds: extra.summaryEverySeconds ?? 120,
    channels: [
      {
        id: 'control-room',
        tenant: 'acme-energy',
        kind: 'webhook',
        url: hook.url,
        retry: quickRetry,
        rateLimit: extra.rateLimit ?? { max: 2, perSeconds: 60 },
      },
    ],
    routes: [{ tenant: 'acme-energy', channels: ['control-room'] }],
  });
}

/** Publishes an alarm at the clock's current time and waits until it is handled (the handler reads the clock). */
async function raise(alarmId: string, extra: Partial<ReturnType<typeof alarmEvent>> = {}) {
  n.publish(alarmEvent({ alarmId, timestamp: n.clock.now(), ...extra }));
  await n.bed.drained();
}

const singles = () => hook.received.filter((r) => r.json.kind === 'alarm').map((r) => r.json.alarm.alarmId);
const summaries = () => hook.received.filter((r) => r.json.kind === 'summary').map((r) => r.json);

describe('rate limits', () => {
  it('sends up to the limit in a window, holds the rest, and starts afresh on the window edge', async () => {
    await setup({ rateLimit: { max: 2, perSeconds: 60 } });
    expect(t0 % 60_000).toBe(0); // t0 opens a window
    await raise('a1');
    await raise('a2');
    await raise('a3'); // third in the window: held
    n.clock.set(t0 + 59_999);
    await raise('a4'); // last millisecond of the same window: held
    n.clock.set(t0 + 60_000);
    await raise('a5'); // a new window
    expect(singles()).toEqual(['a1', 'a2', 'a5']);
    await n.bed.tick('notify'); // not due yet, but the held count is visible
    expect(await n.metric('held_for_summary', { channel: 'control-room' })).toBe(2);
    expect(await n.metric('notifications_total', { outcome: 'held-rate-limit' })).toBe(2);
    expect(await n.redis.hget(keys.digestCounts('control-room'), 'rate-limit')).toBe('2');
  });

  it('tells the held alarms in one summary once the oldest has waited a summary period, then nothing more', async () => {
    await setup({ rateLimit: { max: 1, perSeconds: 60 }, summaryEverySeconds: 120 });
    await raise('a1');
    await raise('a2');
    n.clock.advance(30_000);
    await raise('a3');
    n.clock.set(t0 + 119_999);
    await n.bed.tick('notify');
    expect(summaries()).toHaveLength(0); // a2 has waited 1 ms short of the period
    n.clock.set(t0 + 120_000);
    await n.bed.tick('notify');
    const [summary] = summaries();
    expect(summary.summary.counts).toEqual({ flood: 0, 'rate-limit': 2 });
    expect(summary.summary.alarms.map((a: { alarmId: string }) => a.alarmId)).toEqual(['a2', 'a3']);
    expect(summary.subject).toBe("2 alarm notifications summarised for acme-energy (2 over this channel's rate limit)");
    expect(summary.text).toContain('[a3]');
    await n.bed.tick('notify');
    n.clock.advance(600_000);
    await n.bed.tick('notify');
    expect(summaries()).toHaveLength(1);
    expect(await n.redis.llen(keys.digest('control-room'))).toBe(0);
  });
});

describe('flood summaries', () => {
  it('holds alarms raised during a flood for the summary, while still sending the others and going live', async () => {
    await setup({ rateLimit: { max: 100, perSeconds: 60 }, summaryEverySeconds: 60 });
    for (let i = 0; i < 5; i++) await raise(`flood-${i}`, { flood: true, deviceId: `rtu-f${i}` });
    await raise('calm', { severity: 'HIGH' });
    expect(singles()).toEqual(['calm']);
    expect(await n.metric('notifications_total', { outcome: 'held-flood' })).toBe(5);
    expect(await n.metric('live_messages_total', { type: 'alarm:new' })).toBe(6);
    n.clock.advance(60_000);
    await n.bed.tick('notify');
    const [summary] = summaries();
    expect(summary.summary.counts).toEqual({ flood: 5, 'rate-limit': 0 });
    expect(summary.subject).toBe('5 alarm notifications summarised for acme-energy (5 during an alarm flood)');
  });

  it('counts every held alarm even when the summary lists only the first 200, and is never rate limited itself', async () => {
    await setup({ rateLimit: { max: 1, perSeconds: 3600 }, summaryEverySeconds: 60 });
    await raise('first'); // uses the window's only slot
    for (let i = 0; i < 205; i++) n.publish(alarmEvent({ alarmId: `f-${i}`, deviceId: `rtu-${i % 7}`, flood: true }));
    await n.bed.drained();
    n.clock.advance(60_000);
    await n.bed.tick('notify');
    const [summary] = summaries();
    expect(summary.summary.counts.flood).toBe(205);
    expect(summary.summary.alarms).toHaveLength(200);
    expect(summary.text).toContain('… and 5 more not listed.');
    expect(await n.redis.hget(keys.digestCounts('control-room'), 'flood')).toBe('0');
  });

  it('keeps the held alarms when the summary cannot be delivered, records that once per period, and sends them later', async () => {
    await setup({ rateLimit: { max: 100, perSeconds: 60 }, summaryEverySeconds: 60 });
    await raise('f1', { flood: true });
    await raise('f2', { flood: true });
    hook.answerWith(503);
    n.clock.advance(60_000);
    await n.bed.tick('notify');
    await n.bed.tick('notify'); // same period: no second try
    const failures = (await n.redis.lrange(keys.failures('acme-energy'), 0, -1)).map((e) => JSON.parse(e));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ kind: 'summary', channel: 'control-room', attempts: quickRetry.attempts });
    expect(failures[0].error).toMatch(/summary of 2 held alarm\(s\), kept for the next try: POST .* answered 503/);
    hook.answerWith(200);
    n.clock.advance(60_000);
    await n.bed.tick('notify');
    // Every attempt reached the receiver: three refused, then the one that went through.
    expect(summaries()).toHaveLength(quickRetry.attempts + 1);
    expect(summaries().at(-1).summary.counts).toEqual({ flood: 2, 'rate-limit': 0 });
    expect(await n.metric('summaries_total', { outcome: 'sent' })).toBe(1);
  });
});
