import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from './testing/gateway-fixture.ts';

/** The UI as the browser fetches it: plain JavaScript from the TypeScript sources, cached by ETag, under a strict CSP. */
let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture();
}, 120_000);
afterAll(async () => f?.close(), 60_000);

describe('the UI', () => {
  it('serves the page with security headers', async () => {
    const res = await f.request('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toContain('<script type="module" src="/ui/main.ts">');
  });

  it('serves its modules as JavaScript with the types stripped', async () => {
    const res = await f.request('GET', '/ui/store.ts');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await res.text();
    expect(code).toContain('export const store');
    expect(code).not.toMatch(/export interface|: TagState\b/);
    await expect(import(`data:text/javascript,${encodeURIComponent(code)}`)).resolves.toHaveProperty('sortedAlarms');
  });

  it('answers 304 to a browser that has the file', async () => {
    const first = await f.request('GET', '/ui/main.ts');
    const etag = first.headers.get('etag') as string;
    const again = await f.request('GET', '/ui/main.ts', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('serves uPlot from node_modules, and nothing outside the UI', async () => {
    expect((await f.request('GET', '/ui/vendor/uplot.js')).status).toBe(200);
    expect((await f.request('GET', '/ui/../app.ts')).status).toBe(404);
    expect((await f.request('GET', '/ui/freshness.test.ts')).status).toBe(404);
  });
});
