import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/** Cross-origin calls from configured origins only; none at all by default (the UI is same-origin). */
describe('CORS', () => {
  let configured: GatewayFixture;
  let closed: GatewayFixture;
  beforeAll(async () => {
    configured = await gatewayFixture({ options: { corsOrigins: ['https://hmi.example.com'] } });
    closed = await gatewayFixture();
  }, 120_000);
  afterAll(async () => {
    await configured?.close();
    await closed?.close();
  }, 60_000);

  const preflight = (f: GatewayFixture, origin: string) =>
    f.request('OPTIONS', '/v1/alarms', {
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });

  it('answers a configured origin’s preflight and calls', async () => {
    const res = await preflight(configured, 'https://hmi.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://hmi.example.com');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    const call = await configured.request('GET', '/v1/me', { role: 'viewer', headers: { origin: 'https://hmi.example.com' } });
    expect(call.headers.get('access-control-allow-origin')).toBe('https://hmi.example.com');
    expect(call.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('gives other origins nothing to work with', async () => {
    expect((await preflight(configured, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(closed, 'https://hmi.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
