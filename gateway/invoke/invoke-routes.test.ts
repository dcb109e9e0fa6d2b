import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeRoutes } from '../../runtime/hosts/invoke-routes.ts';
import { toOutbound } from '../../runtime/settle.ts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * POST /v1/functions/{name}/invoke on the memory host answers exactly what the
 * function's own POST /invoke answers (runtime/hosts/invoke-routes.ts): same status,
 * same body shape, for success, rejection and a malformed payload. The kafka and dapr
 * hosts are covered by tests/integration/gateway-*.test.ts.
 */
let f: GatewayFixture;
let own: ReturnType<typeof invokeRoutes>;
beforeAll(async () => {
  f = await gatewayFixture();
  own = invokeRoutes(f.bed.functions, async (_fn, publishes) => f.bed.bus.publish(publishes.map(toOutbound)));
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const viaGateway = async (name: string, body: unknown) => {
  const res = await f.request('POST', `/v1/functions/${name}/invoke`, { role: 'admin', body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const viaFunction = async (name: string, body: unknown) => {
  const res = await own.request(`/invoke/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const shape = (answer: { status: number; body: Record<string, unknown> }) => ({
  status: answer.status,
  outcome: answer.body.outcome,
  reason: answer.body.reason,
  published: (answer.body.published as { topic: string; key: string }[]).map((p) => `${p.topic}/${p.key}`),
});

describe('invoking a function by name', () => {
  it('success: 200 and what it published', async () => {
    const data = (t: number) => ({
      timestamp: t,
      deviceId: 'rtu-n02',
      tagId: 'oil_rate',
      value: 420,
      quality: 192,
      sourceProtocol: 'HTTP',
    });
    // validate takes raw samples and compacted minutes: the invocation names which.
    const topic = 'scada.telemetry.raw';
    const gateway = await viaGateway('validate', { topic, data: data(Date.now()), id: 'inv-1' });
    const direct = await viaFunction('validate', { topic, data: data(Date.now() + 1), id: 'inv-2' });
    expect(shape(gateway)).toEqual(shape(direct));
    expect(gateway).toMatchObject({
      status: 200,
      body: { outcome: 'success', eventId: 'inv-1', published: [{ topic: 'scada.telemetry.validated', key: 'rtu-n02' }] },
    });
  });

  it('rejected: 422 with the reason, for data the function can never take', async () => {
    const data = { timestamp: Date.now(), deviceId: 'rtu-n02', tagId: 'oil_rate', value: 'lots', quality: 192, sourceProtocol: 'HTTP' };
    const gateway = await viaGateway('validate', { topic: 'scada.telemetry.raw', data });
    expect(shape(gateway)).toEqual(shape(await viaFunction('validate', { topic: 'scada.telemetry.raw', data })));
    expect(gateway.status).toBe(422);
    expect(gateway.body.reason).toMatch(/value/);
  });

  it('asks which topic when a function has several', async () => {
    const gateway = await viaGateway('alarm', { data: {} });
    expect(shape(gateway)).toEqual(shape(await viaFunction('alarm', { data: {} })));
    expect(gateway.body.reason).toMatch(/say which topic the data is for: one of scada.telemetry.validated, scada.alarm-actions/);
  });
});
