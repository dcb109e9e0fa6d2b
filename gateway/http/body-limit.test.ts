import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/** Bodies past the route's limit are refused with 413 before they are read, whether or not they declare their length. */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture({ options: { bodyLimitBytes: 2 * 1024, bulkBodyLimitBytes: 64 * 1024 } });
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const sample = (i: number) => ({ timestamp: Date.now() + i, deviceId: 'rtu-n01', tagId: 'casing_pressure', value: i, quality: 192 });

describe('body size limits', () => {
  it('refuses an oversized body with 413 and says the limit', async () => {
    const res = await f.request('POST', '/v1/alarms/x.y.H/acknowledge', { role: 'operator', body: { comment: 'x'.repeat(4 * 1024) } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe(
      'the body is larger than 2048 bytes, the most this route accepts: send less, or split it',
    );
  });

  it('gives telemetry batches a larger limit, and refuses past it too', async () => {
    const fits = await f.request('POST', '/v1/telemetry', {
      role: 'scada',
      body: { samples: Array.from({ length: 200 }, (_, i) => sample(i)) },
    });
    expect(fits.status).toBe(202);
    const tooBig = await f.request('POST', '/v1/telemetry', {
      role: 'scada',
      body: { samples: Array.from({ length: 2000 }, (_, i) => sample(i)) },
    });
    expect(tooBig.status).toBe(413);
  });

  it('counts a streamed body without Content-Length as it arrives', async () => {
    const chunk = new TextEncoder().encode(`{"comment":"${'y'.repeat(1024)}`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await f.gateway.app.request('/v1/alarms/x.y.H/acknowledge', {
      method: 'POST',
      headers: { authorization: `Bearer ${await f.token('operator')}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});
