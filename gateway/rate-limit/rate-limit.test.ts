import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/** Budgets per principal and kind of request, counted in Redis, reset each window. */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture({ options: { rateLimits: { read: 3, write: 2, ingest: 5, signIn: 2, windowMs: 60_000 } } });
}, 120_000);
afterAll(async () => f?.close(), 60_000);

describe('rate limits', () => {
  it('answers 429 past the budget, with Retry-After and RateLimit headers, then lets the next window through', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await f.request('GET', '/v1/assets', { role: 'viewer' });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(last?.headers.get('ratelimit-limit')).toBe('3');
    expect(last?.headers.get('ratelimit-remaining')).toBe('0');
    expect(((await (last as Response).json()) as { error: string }).error).toMatch(
      /too many read requests: at most 3 a minute; try again in \d+ s/,
    );
    f.advance(60_000);
    expect((await f.request('GET', '/v1/assets', { role: 'viewer' })).status).toBe(200);
  });

  it('counts each principal, and each kind of request, on its own', async () => {
    f.advance(60_000);
    for (let i = 0; i < 3; i++) expect((await f.request('GET', '/v1/assets', { role: 'viewer' })).status).toBe(200);
    expect((await f.request('GET', '/v1/assets', { role: 'viewer' })).status).toBe(429);
    expect((await f.request('GET', '/v1/assets', { role: 'operator' })).status).toBe(200);
    expect((await f.request('GET', '/v1/assets', { role: 'viewer', tenantId: 'globex' })).status).toBe(200);
    // The viewer's reads are spent; an operator's writes have their own budget.
    const write = () => f.request('POST', '/v1/alarms/none.x.H/acknowledge', { role: 'operator', body: {} });
    expect([(await write()).status, (await write()).status, (await write()).status]).toEqual([404, 404, 429]);
  });
});
