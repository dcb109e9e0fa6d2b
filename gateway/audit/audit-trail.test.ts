import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog, Command } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * Every write leaves a fact on system.audit-log: who (user and role), what, on which
 * resource, how it ended. Alarm actions are covered in alarm-action-routes.test.ts.
 */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture();
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const audit = async () => {
  await f.bed.drained();
  return f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);
};
const sample = { timestamp: Date.now(), deviceId: 'rtu-n01', tagId: 'casing_pressure', value: 410, quality: 192, sourceProtocol: 'HTTP' };

describe('audit trail', () => {
  it('records a command, with its id as correlation, and the command carries who asked', async () => {
    const res = await f.request('POST', '/v1/commands', {
      role: 'supervisor',
      body: { siteId: 'pad-7', deviceId: 'rtu-n01', tagId: 'esp_frequency_setpoint', value: 52.5, reason: 'raise drawdown' },
    });
    expect(res.status).toBe(202);
    const { commandId } = (await res.json()) as { commandId: string };
    const command = f.bed.events<Command>('scada.commands').find((e) => e.data.commandId === commandId);
    expect(command?.data).toMatchObject({ siteId: 'pad-7', value: 52.5, requestedBy: { userId: 'supervisor-user', role: 'supervisor' } });
    expect(command?.data.expiresAt).toBe(f.now() + 60_000);
    expect(await audit()).toContainEqual(
      expect.objectContaining({
        action: 'command.request',
        resource: 'pad-7/rtu-n01/esp_frequency_setpoint',
        outcome: 'success',
        correlationId: commandId,
        reason: 'raise drawdown',
        actor: { userId: 'supervisor-user', role: 'supervisor' },
        source: 'flowline/gateway',
      }),
    );
  });

  it('records ingestion, publishing and invocation', async () => {
    expect((await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples: [sample], batchId: 'b-1' } })).status).toBe(202);
    const wellTest = {
      testId: 't-9',
      wellId: 'n-01',
      tenantId: 'acme',
      timestamp: Date.now(),
      oilRateStbd: 410,
      flowingBottomholePressurePsia: 1500,
      reservoirPressurePsia: 3000,
      bubblePointPressurePsia: 2000,
    };
    expect((await f.request('POST', '/v1/events/well-testing.test-completed', { role: 'operator', body: { data: wellTest } })).status).toBe(
      202,
    );
    expect(
      (
        await f.request('POST', '/v1/functions/validate/invoke', {
          role: 'admin',
          body: { topic: 'scada.telemetry.raw', data: { ...sample, timestamp: sample.timestamp + 1 } },
        })
      ).status,
    ).toBe(200);
    const facts = await audit();
    expect(facts).toContainEqual(
      expect.objectContaining({
        action: 'telemetry.ingest',
        correlationId: 'b-1',
        details: expect.objectContaining({ samples: 1, tenantId: 'acme' }),
      }),
    );
    expect(facts).toContainEqual(
      expect.objectContaining({ action: 'event.publish', resource: 'topic/well-testing.test-completed', outcome: 'success' }),
    );
    expect(facts).toContainEqual(expect.objectContaining({ action: 'function.invoke', resource: 'function/validate', outcome: 'success' }));
  });

  it('records refused writes as refused', async () => {
    expect(
      (await f.request('POST', '/v1/commands', { role: 'viewer', body: { siteId: 'p', deviceId: 'rtu-n01', tagId: 't', value: 1 } }))
        .status,
    ).toBe(403);
    expect((await f.request('POST', '/v1/telemetry', { role: 'operator', body: { samples: [sample] } })).status).toBe(403);
    const refused = (await audit()).filter((a) => a.outcome === 'refused').map((a) => `${a.action} ${a.actor.role}`);
    expect(refused).toEqual(expect.arrayContaining(['commands.send viewer', 'telemetry.ingest operator']));
  });

  it('makes a retried batch publish the same event ids', async () => {
    const send = async () =>
      (
        (await (await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples: [sample], batchId: 'retry-1' } })).json()) as {
          eventIds: string[];
        }
      ).eventIds;
    expect(await send()).toEqual(await send());
  });
});
