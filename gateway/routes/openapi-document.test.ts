import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * The document is a promise: every status a route answers is declared for it, and a body
 * the document calls valid is not refused for a field it calls optional. (The HTTP fuzz
 * case, tests/faults/http-fuzz.test.ts, checks the same across every operation.)
 */
let f: GatewayFixture;
let doc: { paths: Record<string, Record<string, Operation>> };
interface Operation {
  responses: Record<string, { description: string }>;
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
}
interface Schema {
  $ref?: string;
  required?: string[];
}

beforeAll(async () => {
  f = await gatewayFixture();
  doc = (await (await f.request('GET', '/v1/openapi.json')).json()) as typeof doc;
}, 120_000);
afterAll(async () => f?.close(), 60_000);

const operation = (method: string, path: string): Operation => {
  const found = doc.paths[path]?.[method.toLowerCase()];
  if (!found) throw new Error(`the document has no ${method} ${path}`);
  return found;
};
const bodySchema = (method: string, path: string): Schema => {
  const schema = operation(method, path).requestBody?.content['application/json'].schema ?? {};
  const name = schema.$ref?.replace('#/components/schemas/', '');
  return name ? ((doc as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas[name] ?? {}) : schema;
};

describe('the OpenAPI document', () => {
  it('declares every status these requests get', async () => {
    const cases: { method: string; path: string; url: string; body?: unknown; headers?: Record<string, string>; status: number }[] = [
      { method: 'GET', path: '/v1/alarms', url: '/v1/alarms?wellId=nowhere', status: 404 },
      { method: 'GET', path: '/v1/commands/results', url: '/v1/commands/results?deviceId=nowhere', status: 404 },
      { method: 'POST', path: '/v1/auth/sign-in', url: '/v1/auth/sign-in', body: {}, status: 400 },
      { method: 'POST', path: '/v1/auth/refresh', url: '/v1/auth/refresh', body: { refreshToken: 5 }, status: 400 },
      { method: 'POST', path: '/v1/auth/refresh', url: '/v1/auth/refresh', status: 404 },
      { method: 'POST', path: '/v1/auth/sign-out', url: '/v1/auth/sign-out', status: 409 },
      { method: 'DELETE', path: '/v1/users/{userId}/sessions', url: '/v1/users/ana/sessions', status: 404 },
      { method: 'GET', path: '/v1/audit', url: '/v1/audit?from=2000&to=1000', status: 400 },
      { method: 'GET', path: '/v1/audit', url: '/v1/audit?cursor=x', status: 400 },
      { method: 'GET', path: '/v1/audit', url: '/v1/audit', status: 503 },
      { method: 'POST', path: '/v1/commands', url: '/v1/commands', body: 'x', headers: { 'content-type': 'text/plain' }, status: 415 },
      { method: 'GET', path: '/v1/history', url: '/v1/history?deviceId=rtu-n01&tagId=p&from=2000&to=1000', status: 400 },
      { method: 'GET', path: '/v1/alarms/history', url: '/v1/alarms/history?from=2000&to=1000', status: 400 },
      { method: 'GET', path: '/v1/wells/{wellId}/status', url: '/v1/wells/n-01/status?from=2000&to=1000', status: 400 },
      { method: 'GET', path: '/v1/wells/{wellId}/status', url: '/v1/wells/s-01/status', status: 404 },
      { method: 'GET', path: '/v1/production/daily', url: '/v1/production/daily?date=2026-02-30', status: 400 },
      { method: 'GET', path: '/v1/production/daily', url: '/v1/production/daily', status: 400 },
      { method: 'GET', path: '/v1/production/daily', url: '/v1/production/daily?date=2026-03-07&fieldId=south', status: 404 },
      {
        method: 'GET',
        path: '/v1/wells/{wellId}/production/daily',
        url: '/v1/wells/n-01/production/daily?from=2026-03-08&to=2026-03-07',
        status: 400,
      },
      { method: 'GET', path: '/v1/wells/{wellId}/production/daily', url: '/v1/wells/s-01/production/daily', status: 404 },
      { method: 'POST', path: '/v1/events/{topic}', url: '/v1/events/well-testing.test-completed', body: { data: {} }, status: 400 },
      { method: 'POST', path: '/v1/functions/{name}/invoke', url: '/v1/functions/validate/invoke', body: { data: null }, status: 422 },
      { method: 'GET', path: '/v1/telemetry/quarantine', url: '/v1/telemetry/quarantine?limit=0', status: 400 },
      { method: 'GET', path: '/v1/telemetry/quarantine', url: '/v1/telemetry/quarantine?deviceId=rtu-s01', status: 404 },
      // This gateway has no PostgreSQL: the quarantine, the wells' status history and production are not available here.
      { method: 'GET', path: '/v1/telemetry/quarantine', url: '/v1/telemetry/quarantine', status: 503 },
      { method: 'GET', path: '/v1/wells/{wellId}/status', url: '/v1/wells/n-01/status', status: 503 },
      { method: 'GET', path: '/v1/production/daily', url: '/v1/production/daily?date=2026-03-07', status: 503 },
      { method: 'GET', path: '/v1/wells/{wellId}/tests', url: '/v1/wells/n-01/tests', status: 503 },
      {
        method: 'POST',
        path: '/v1/wells/{wellId}/tests',
        url: '/v1/wells/n-01/tests',
        body: { deviceId: 'rtu-n02', reservoirPressurePsia: 2500, bubblePointPressurePsia: 1800 },
        status: 400,
      },
      {
        method: 'POST',
        path: '/v1/wells/{wellId}/tests',
        url: '/v1/wells/s-01/tests',
        body: { deviceId: 'rtu-s01', reservoirPressurePsia: 2500, bubblePointPressurePsia: 1800 },
        status: 404,
      },
    ];
    for (const c of cases) {
      const res = await f.request(c.method, c.url, { role: 'admin', body: c.body, ...(c.headers ? { headers: c.headers } : {}) });
      expect(res.status, `${c.method} ${c.url}`).toBe(c.status);
      expect(Object.keys(operation(c.method, c.path).responses), `${c.method} ${c.path}`).toContain(String(c.status));
    }
  });

  it('says why a schema-valid range or event is refused', () => {
    for (const path of ['/v1/history', '/v1/alarms/history', '/v1/wells/{wellId}/status', '/v1/audit'])
      expect(operation('GET', path).responses['400']?.description).toMatch(/`from` is not before `to`.*400 days/);
    expect(operation('POST', '/v1/events/{topic}').responses['400']?.description).toMatch(/not an event of the topic/);
  });

  it('states the quarantine’s constraints', () => {
    const quarantine = operation('GET', '/v1/telemetry/quarantine');
    expect(Object.keys(quarantine.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '429', '503']);
    expect((quarantine as unknown as { 'x-flowline-roles': string[] })['x-flowline-roles']).toEqual(
      (operation('GET', '/v1/history') as unknown as { 'x-flowline-roles': string[] })['x-flowline-roles'],
    );
    const parameter = (name: string) => quarantine.parameters?.find((p) => p.name === name)?.schema ?? {};
    expect(parameter('limit')).toMatchObject({ minimum: 1, maximum: 1000, default: 100 });
    expect(parameter('cursor').pattern).toMatch(/^\^/);
    for (const name of ['deviceId', 'wellId', 'from', 'to']) expect(parameter(name).pattern, name).toBeDefined();
  });

  it('marks `data` required where the gateway requires it', async () => {
    for (const path of ['/v1/events/{topic}', '/v1/functions/{name}/invoke']) {
      expect(bodySchema('POST', path).required, path).toContain('data');
      const url = path.replace('{topic}', 'well-testing.test-completed').replace('{name}', 'validate');
      expect((await f.request('POST', url, { role: 'admin', body: {} })).status, path).toBe(400);
    }
  });
});
