import { afterEach, describe, expect, it } from 'vitest';
import { newAlarmPoint } from '../alarm/alarm-point.ts';
import { writePoints } from '../alarm/alarm-store.ts';
import { keys } from './keys.ts';
import { type NotifyBed, notifyBed, quickRetry, t0 } from './test-support/notify-bed.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.ts';

let n: NotifyBed;
let controlRoom: WebhookReceiver;
let supervisors: WebhookReceiver;
afterEach(async () => {
  await n?.stop();
  await Promise.all([controlRoom?.close(), supervisors?.close()]);
});

const minute = 60_000;

async function setup() {
  controlRoom = await startWebhookReceiver();
  supervisors = await startWebhookReceiver();
  const hook = (id: string, url: string) => ({ id, tenant: 'acme-energy', kind: 'webhook' as const, url, retry: quickRetry });
  n = await notifyBed({
    channels: [hook('control-room', controlRoom.url), hook('supervisors', supervisors.url)],
    routes: [
      {
        tenant: 'acme-energy',
        minSeverity: 'HIGH',
        channels: ['control-room'],
        escalate: [
          { afterMinutes: 15, channels: ['supervisors'] },
          { afterMinutes: 60, channels: ['supervisors', 'control-room'] },
        ],
      },
    ],
  });
}

/** Writes an alarm as the alarm function keeps it (seed 001): its state hash and its place in the active set. */
async function activeAlarm(alarmId: string, fields: Record<string, string | number> = {}) {
  const hash = {
    alarmId,
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    wellId: 'norte-01',
    deviceId: 'rtu-w01',
    tagId: 'tubing_pressure',
    condition: 'HH',
    severity: 'CRITICAL',
    state: 'UNACK_ACTIVE',
    active: '1',
    message: 'tubing_pressure 1502 psi above HH 1450',
    value: '1502',
    threshold: '1450',
    unit: 'psi',
    raisedAt: String(t0),
    lastTransitionAt: String(t0),
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
  };
  await n.redis
    .multi()
    .del(keys.alarmState(alarmId))
    .hset(keys.alarmState(alarmId), hash)
    .zadd(keys.activeAlarms(hash.tenantId), 4e13 + Number(hash.raisedAt), alarmId)
    .exec();
}

const escalations = (r: WebhookReceiver) =>
  r.received.filter((x) => x.json.kind === 'escalation').map((x) => `${x.json.alarm.alarmId}@${x.json.escalation.afterMinutes}`);

async function tickAt(ms: number) {
  n.clock.set(ms);
  await n.bed.tick('notify');
}

describe('escalation of unacknowledged alarms', () => {
  it('escalates on the minute each level is due, once per level, and not after acknowledgement', async () => {
    await setup();
    await activeAlarm('a1');
    await activeAlarm('a2');
    await tickAt(t0 + 15 * minute - 1);
    expect(escalations(supervisors)).toEqual([]);
    await tickAt(t0 + 15 * minute);
    expect(escalations(supervisors)).toEqual(['a1@15', 'a2@15']);
    await tickAt(t0 + 20 * minute);
    expect(escalations(supervisors)).toHaveLength(2);

    await activeAlarm('a2', { state: 'ACK_ACTIVE', acknowledgedAt: t0 + 30 * minute, acknowledgedBy: 'ana' });
    await tickAt(t0 + 60 * minute);
    expect(escalations(supervisors)).toEqual(['a1@15', 'a2@15', 'a1@60']);
    expect(escalations(controlRoom)).toEqual(['a1@60']);
    await tickAt(t0 + 120 * minute);
    expect(escalations(supervisors)).toHaveLength(3);

    const [first] = supervisors.received;
    expect(first?.json.subject).toBe('ESCALATION: CRITICAL norte-01 tubing_pressure HH unacknowledged for 15 min');
    expect(first?.json.notificationId).toBe(`escalation:a1:${t0}:15`);
  });

  it('reads the alarm state exactly as the alarm function writes it', async () => {
    await setup();
    const point = {
      ...newAlarmPoint({
        tenantId: 'acme-energy',
        fieldId: 'campo-norte',
        wellId: 'norte-02',
        deviceId: 'rtu-w02',
        tagId: 'esp_motor_current',
        condition: 'LL',
        severity: 'CRITICAL',
        threshold: 10,
        unit: 'A',
      }),
      state: 'UNACK_ACTIVE' as const,
      active: true,
      message: 'esp_motor_current 4 A below LL 10',
      value: 4,
      raisedAt: t0,
      lastTransitionAt: t0,
    };
    const multi = n.redis.multi();
    writePoints(multi, [point]);
    await multi.exec();
    await tickAt(t0 + 15 * minute);
    expect(escalations(supervisors)).toEqual(['rtu-w02.esp_motor_current.LL@15']);
    expect(supervisors.received[0]?.json.alarm).toMatchObject({ wellId: 'norte-02', value: 4, threshold: 10, raisedAt: t0 });
  });

  it('escalates an alarm found late at every level it has passed, and a raise after a clear anew', async () => {
    await setup();
    await activeAlarm('a1');
    await tickAt(t0 + 90 * minute);
    expect(escalations(supervisors).sort()).toEqual(['a1@15', 'a1@60']);
    expect(escalations(controlRoom)).toEqual(['a1@60']);

    const raisedAgain = t0 + 3 * 60 * minute;
    await activeAlarm('a1', { raisedAt: raisedAgain, lastTransitionAt: raisedAgain });
    await tickAt(raisedAgain + 16 * minute);
    expect(escalations(supervisors)).toHaveLength(3);
    expect(supervisors.received.at(-1)?.json.notificationId).toBe(`escalation:a1:${raisedAgain}:15`);
  });

  it('leaves alarms the routes do not cover, returned or shelved ones, and skips an unreadable state without stopping', async () => {
    await setup();
    await activeAlarm('medium', { severity: 'MEDIUM' }); // below the route's HIGH
    await activeAlarm('returned', { state: 'RTN_UNACK' });
    await activeAlarm('shelved', { state: 'SHELVED' });
    await activeAlarm('broken', { severity: 'SEVERE' });
    await n.redis.zadd(keys.activeAlarms('acme-energy'), 1, 'vanished'); // in the set, no hash
    await activeAlarm('elsewhere', { tenantId: 'other-co' });
    await activeAlarm('due');
    await tickAt(t0 + 61 * minute);
    expect(escalations(supervisors).sort()).toEqual(['due@15', 'due@60']);
    expect(await n.metric('unreadable_active_alarms', { tenant: 'acme-energy' })).toBe(2); // broken, vanished
    expect(await n.metric('ticks_total')).toBe(1);
  });

  it('holds an escalation over the rate limit for the summary rather than dropping it', async () => {
    await setup();
    for (let i = 0; i < 32; i++) await activeAlarm(`a${i}`);
    await tickAt(t0 + 15 * minute);
    // The default limit is 30 a minute per channel.
    expect(escalations(supervisors)).toHaveLength(30);
    expect(await n.redis.hget(keys.digestCounts('supervisors'), 'rate-limit')).toBe('2');
  });
});
