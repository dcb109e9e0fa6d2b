import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * A method a known path does not answer is 405 with the methods it does answer (RFC 9110),
 * not 404 as if the path did not exist; OPTIONS lists them; an unknown path stays 404.
 */
let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
beforeAll(async () => {
  f = await gatewayFixture();
  server = await f.listen();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await f?.close();
}, 60_000);

// Over the wire with node:http: fetch refuses to send TRACE, and a fuzzer sends it.
const call = async (method: string, path: string) => {
  const authorization = `Bearer ${await f.token('admin')}`;
  return new Promise<{ status: number; allow: string | null; text: string }>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method, headers: { authorization } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: (res.headers.allow as string | undefined) ?? null, text }));
    });
    req.on('error', reject);
    req.end();
  });
};

describe('methods a path does not answer', () => {
  it('answers 405 with Allow, on fixed and parameterised paths', async () => {
    expect(await call('TRACE', '/v1/telemetry')).toMatchObject({ status: 405, allow: 'POST, OPTIONS' });
    expect(await call('GET', '/v1/telemetry')).toMatchObject({ status: 405, allow: 'POST, OPTIONS' });
    expect(await call('DELETE', '/v1/devices/rtu-n01')).toMatchObject({ status: 405, allow: 'GET, HEAD, OPTIONS' });
    expect(await call('PATCH', '/v1/config/assets')).toMatchObject({ status: 405, allow: 'GET, HEAD, PUT, OPTIONS' });
    expect(await call('GET', '/v1/alarms/x.y.H/acknowledge')).toMatchObject({ status: 405, allow: 'POST, OPTIONS' });
    const body = JSON.parse((await call('TRACE', '/v1/status/edge')).text) as { error: string };
    expect(body.error).toBe('TRACE is not answered at /v1/status/edge; use GET, HEAD, OPTIONS (see /v1/openapi.json)');
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    expect(await call('OPTIONS', '/v1/history')).toEqual({ status: 204, allow: 'GET, HEAD, OPTIONS', text: '' });
  });

  it('keeps 404 for a path no route has', async () => {
    expect(await call('TRACE', '/v1/wels')).toMatchObject({ status: 404, allow: null });
    expect(await call('GET', '/v1/devices/rtu-n01/extra')).toMatchObject({ status: 404, allow: null });
  });
});
