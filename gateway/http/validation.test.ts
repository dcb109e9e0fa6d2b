import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * Wrong input gets a 4xx whose message says what is wrong and where (body, query, path,
 * which field), never a stack trace; nothing is published for a refused request.
 */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture();
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const answer = async (res: Response) => ({
  status: res.status,
  body: (await res.json()) as { error: string; issues?: { path: string; message: string }[]; requestId?: string },
});
const noStack = (text: string) => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toMatch(/\.ts:\d+/);
  expect(text).not.toMatch(/node_modules/);
};

describe('validation errors', () => {
  it('names each wrong field of a body', async () => {
    const { status, body } = await answer(
      await f.request('POST', '/v1/telemetry', {
        role: 'scada',
        body: { samples: [{ timestamp: 'yesterday', deviceId: 'rtu-n01', tagId: 'p', value: 1, quality: 999 }] },
      }),
    );
    expect(status).toBe(400);
    expect(body.error).toMatch(/^invalid body: /);
    expect(body.issues?.map((i) => i.path).sort()).toEqual(['samples.0.quality', 'samples.0.timestamp']);
    expect(body.requestId).toBeTruthy();
  });

  it('says a required field is missing, and refuses unknown fields', async () => {
    const missing = await answer(
      await f.request('POST', '/v1/alarms/x.y.H/shelve', { role: 'supervisor', body: { comment: 'maintenance' } }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.issues).toEqual([{ path: 'durationSeconds', message: expect.stringMatching(/^required, but missing/) }]);
    const unknown = await answer(await f.request('POST', '/v1/alarms/x.y.H/acknowledge', { role: 'operator', body: { coment: 'typo' } }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/coment/);
  });

  it('checks queries and path parameters', async () => {
    const query = await answer(await f.request('GET', '/v1/history?deviceId=rtu-n01&tagId=p&from=last+tuesday', { role: 'viewer' }));
    expect(query.status).toBe(400);
    expect(query.body.error).toMatch(/^invalid query: from: use epoch milliseconds or an ISO 8601 date-time/);
    const order = await answer(await f.request('GET', '/v1/history?deviceId=rtu-n01&tagId=p&from=2000&to=1000', { role: 'viewer' }));
    expect(order).toMatchObject({ status: 400, body: { error: expect.stringMatching(/must be before to/) } });
    const path = await answer(await f.request('GET', '/v1/devices/bad%20id!', { role: 'viewer' }));
    expect(path.status).toBe(400);
    expect(path.body.error).toMatch(/^invalid path: deviceId: use letters, digits/);
  });

  it('refuses an instant past what a Date holds with 400, not 500 (found by the HTTP fuzz case)', async () => {
    const huge = await answer(await f.request('GET', '/v1/alarms/history?from=99999999999999999999', { role: 'viewer' }));
    expect(huge).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^invalid query: from: use epoch milliseconds/) } });
    const loose = await answer(await f.request('GET', '/v1/alarms/history?to=-5', { role: 'viewer' }));
    expect(loose.status).toBe(400);
  });

  it('explains malformed JSON and a missing content type', async () => {
    const malformed = await answer(
      await f.request('POST', '/v1/commands', { role: 'operator', body: '{"siteId": ', headers: { 'content-type': 'application/json' } }),
    );
    expect(malformed).toMatchObject({ status: 400, body: { error: expect.stringMatching(/not valid JSON/) } });
    const text = await answer(
      await f.request('POST', '/v1/commands', { role: 'operator', body: 'siteId=1', headers: { 'content-type': 'text/plain' } }),
    );
    expect(text).toMatchObject({ status: 415, body: { error: expect.stringMatching(/Content-Type: application\/json/) } });
  });

  it('says which topics are open and what the data lacks', async () => {
    const closed = await answer(await f.request('POST', '/v1/events/scada.alarms', { role: 'admin', body: { data: {} } }));
    expect(closed).toMatchObject({ status: 404, body: { error: expect.stringMatching(/not open to publishing here; open topics: /) } });
    const invalid = await answer(
      await f.request('POST', '/v1/events/well-testing.test-completed', { role: 'operator', body: { data: { wellId: 'n-01' } } }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues?.some((i) => i.path === 'data.oilRateStbd')).toBe(true);
  });

  it('answers an unknown route and an unknown function with where to look', async () => {
    expect(await answer(await f.request('GET', '/v1/wels'))).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/described at \/v1\/openapi.json/) },
    });
    const fn = await answer(await f.request('POST', '/v1/functions/nope/invoke', { role: 'admin', body: { data: {} } }));
    expect(fn).toMatchObject({ status: 404, body: { error: 'no function "nope"; functions: validate, alarm, notify, well-status' } });
  });

  it('never answers with a stack trace', async () => {
    for (const res of [
      await f.request('POST', '/v1/telemetry', { role: 'scada', body: '{', headers: { 'content-type': 'application/json' } }),
      await f.request('GET', '/v1/history?deviceId=rtu-n01&tagId=p', { role: 'viewer' }), // no database here: 503
      await f.request('GET', '/v1/me', { headers: { authorization: 'Bearer not.a.jwt' } }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      noStack(await res.text());
    }
  });

  it('publishes nothing for a refused request', async () => {
    const before = f.bed.events('scada.telemetry.raw').length;
    await f.request('POST', '/v1/telemetry', { role: 'scada', body: { samples: [] } });
    expect(f.bed.events('scada.telemetry.raw').length).toBe(before);
  });
});
