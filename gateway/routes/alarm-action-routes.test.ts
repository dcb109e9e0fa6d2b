import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmAction, AuditLog } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';
import { until } from '../testing/live-client.ts';

/**
 * Acknowledge, shelve and unshelve through the gateway against the real alarm
 * function: the gateway checks role, tenant and state, publishes the action with its
 * audit record; the alarm function applies it; the list shows who, when and the
 * comment (the comment from the alarm history persist keeps).
 */
let f: GatewayFixture;
const alarmId = 'rtu-n01.tubing_pressure.H';

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  const t = Date.now() - 2_000;
  const samples = [
    { timestamp: t, deviceId: 'rtu-n01', tagId: 'tubing_pressure', value: 900, quality: 192 },
    { timestamp: t + 1_000, deviceId: 'rtu-n01', tagId: 'tubing_pressure', value: 1300, quality: 192 },
  ];
  expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples } })).status).toBe(202);
  await until(async () => (await f.redis.hget(`alarm:${alarmId}:state`, 'state')) === 'UNACK_ACTIVE', 'the alarm to be raised');
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const act = async (action: string, role: 'operator' | 'supervisor' | 'viewer', body: unknown = {}) => {
  const res = await f.request('POST', `/v1/alarms/${alarmId}/${action}`, { role, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string } };
};
const stateOf = () => f.redis.hget(`alarm:${alarmId}:state`, 'state');
const list = async () =>
  (await (await f.request('GET', '/v1/alarms', { role: 'viewer' })).json()) as {
    active: Record<string, unknown>[];
    shelved: Record<string, unknown>[];
    suppressed: Record<string, unknown>[];
  };
const audit = () => f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);

describe('alarm actions', () => {
  it('lists the raised alarm, unacknowledged', async () => {
    const { active } = await list();
    expect(active).toEqual([
      expect.objectContaining({
        alarmId,
        state: 'UNACK_ACTIVE',
        severity: 'HIGH',
        active: true,
        wellId: 'n-01',
        value: 1300,
        threshold: 1200,
      }),
    ]);
  });

  it('refuses a viewer, and audits the refusal', async () => {
    expect((await act('acknowledge', 'viewer', { comment: 'x' })).status).toBe(403);
    await f.bed.drained();
    expect(audit()).toContainEqual(
      expect.objectContaining({ action: 'alarms.acknowledge', outcome: 'refused', actor: { userId: 'viewer-user', role: 'viewer' } }),
    );
    expect(await stateOf()).toBe('UNACK_ACTIVE');
  });

  it('acknowledges with a comment: the alarm function applies it, the list says who, when and why', async () => {
    const answer = await act('acknowledge', 'operator', { comment: 'choke checked' });
    expect(answer).toMatchObject({ status: 202, body: { alarmId, action: 'acknowledge', stateBefore: 'UNACK_ACTIVE' } });
    const sent = f.bed.events<AlarmAction>('scada.alarm-actions').find((e) => e.id === answer.body.actionId);
    expect(sent?.data).toMatchObject({
      alarmId,
      tenantId: 'acme',
      action: 'acknowledge',
      actor: 'operator-user',
      comment: 'choke checked',
    });
    await until(async () => (await stateOf()) === 'ACK_ACTIVE', 'the alarm function to apply it');
    await until(async () => (await list()).active[0]?.acknowledgedComment === 'choke checked', 'the comment to reach the history');
    expect((await list()).active[0]).toMatchObject({
      state: 'ACK_ACTIVE',
      acknowledgedBy: 'operator-user',
      acknowledgedAt: expect.any(Number),
    });
    expect(audit()).toContainEqual(
      expect.objectContaining({
        action: 'alarm.acknowledge',
        resource: `alarm/${alarmId}`,
        outcome: 'success',
        reason: 'choke checked',
        details: expect.objectContaining({ stateBefore: 'UNACK_ACTIVE' }),
      }),
    );
  });

  it('says who acknowledged it when asked again (409)', async () => {
    const again = await act('acknowledge', 'operator');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(new RegExp(`^alarm "${alarmId}" was already acknowledged by operator-user at \\d{4}-`));
  });

  it('shelves for a while with a reason (supervisors only), then unshelves', async () => {
    expect((await act('shelve', 'operator', { durationSeconds: 600, comment: 'x' })).status).toBe(403);
    expect((await act('shelve', 'supervisor', { durationSeconds: 600 })).status).toBe(400);
    expect((await act('shelve', 'supervisor', { durationSeconds: 30, comment: 'too short' })).status).toBe(400);
    expect((await act('shelve', 'supervisor', { durationSeconds: 600, comment: 'transmitter replaced' })).status).toBe(202);
    await until(async () => (await stateOf()) === 'SHELVED', 'the alarm to be shelved');
    const shelvedList = await list();
    expect(shelvedList.active).toEqual([]);
    expect(shelvedList.shelved).toEqual([expect.objectContaining({ alarmId, state: 'SHELVED', shelvedUntil: expect.any(Number) })]);

    expect((await act('unshelve', 'supervisor', { comment: 'back in service' })).status).toBe(202);
    await until(async () => (await stateOf()) === 'UNACK_ACTIVE', 'the alarm to be back (its condition still holds)');
    const refused = await act('unshelve', 'supervisor');
    expect(refused).toMatchObject({
      status: 409,
      body: { error: `alarm "${alarmId}" is UNACK_ACTIVE: only shelved alarms can be unshelved` },
    });
    await f.bed.drained();
    const actions = audit()
      .filter((a) => a.outcome === 'success' && a.action.startsWith('alarm.'))
      .map((a) => a.action);
    expect(actions).toEqual(['alarm.acknowledge', 'alarm.shelve', 'alarm.unshelve']);
  });

  it('suppresses with a reason (supervisors only): the alarm leaves the active list for the suppressed one, then comes back', async () => {
    expect((await act('suppress', 'operator', { comment: 'x' })).status).toBe(403);
    expect((await act('suppress', 'supervisor', {})).status).toBe(400);
    // Spaces only are no reason; the document says so with a pattern (found by the fuzzer).
    const spaces = await act('suppress', 'supervisor', { comment: '   ' });
    expect(spaces.status).toBe(400);
    expect(JSON.stringify(spaces.body)).toContain('a comment of spaces only says nothing');
    expect((await act('suppress', 'supervisor', { comment: 'transmitter out for calibration' })).status).toBe(202);
    await until(async () => (await stateOf()) === 'SUPPRESSED', 'the alarm to be suppressed');
    const suppressedList = await list();
    expect(suppressedList.active).toEqual([]);
    expect(suppressedList.shelved).toEqual([]);
    expect(suppressedList.suppressed).toEqual([expect.objectContaining({ alarmId, state: 'SUPPRESSED', active: true })]);
    expect(await act('suppress', 'supervisor', { comment: 'again' })).toMatchObject({
      status: 409,
      body: { error: `alarm "${alarmId}" is already suppressed` },
    });
    expect(await act('shelve', 'supervisor', { durationSeconds: 600, comment: 'x' })).toMatchObject({ status: 409 });

    expect((await act('unsuppress', 'supervisor', { comment: 'calibrated' })).status).toBe(202);
    await until(async () => (await stateOf()) === 'UNACK_ACTIVE', 'the alarm to be back in service (its condition still holds)');
    expect((await list()).suppressed).toEqual([]);
    expect(await act('unsuppress', 'supervisor')).toMatchObject({
      status: 409,
      body: { error: `alarm "${alarmId}" is UNACK_ACTIVE: only suppressed alarms can be unsuppressed` },
    });
    await f.bed.drained();
    const sent = f.bed.events<AlarmAction>('scada.alarm-actions').filter((e) => e.data.action.endsWith('suppress'));
    expect(sent.map((e) => [e.data.action, e.data.actor, e.data.comment])).toEqual([
      ['suppress', 'supervisor-user', 'transmitter out for calibration'],
      ['unsuppress', 'supervisor-user', 'calibrated'],
    ]);
    expect(audit()).toContainEqual(
      expect.objectContaining({
        action: 'alarm.suppress',
        resource: `alarm/${alarmId}`,
        outcome: 'success',
        reason: 'transmitter out for calibration',
        details: expect.objectContaining({ stateBefore: 'UNACK_ACTIVE' }),
      }),
    );
    expect(audit()).toContainEqual(expect.objectContaining({ action: 'alarms.suppress', outcome: 'refused' }));
  });

  it('keeps another tenant’s suppressed alarms out of the list', async () => {
    expect((await act('suppress', 'supervisor', { comment: 'maintenance' })).status).toBe(202);
    await until(async () => (await stateOf()) === 'SUPPRESSED', 'the alarm to be suppressed');
    const res = await f.request('GET', '/v1/alarms', { role: 'viewer', tenantId: 'globex' });
    expect(((await res.json()) as { suppressed: unknown[] }).suppressed).toEqual([]);
    expect((await act('unsuppress', 'supervisor')).status).toBe(202);
    await until(async () => (await stateOf()) === 'UNACK_ACTIVE', 'the alarm to be back in service');
  });

  it('knows no alarm that is not there', async () => {
    const res = await f.request('POST', '/v1/alarms/rtu-n01.tubing_pressure.LL/acknowledge', { role: 'operator', body: {} });
    expect(res.status).toBe(404);
  });
});
