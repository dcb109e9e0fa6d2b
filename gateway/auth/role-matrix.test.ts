import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Role } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * Every role against every route: the matrix below is the specification (seed 004's
 * roles), written by hand rather than read from permissions.ts, so a change to the
 * code's table that nobody meant fails here. A route that is not in the matrix fails too.
 */
const roles: Role[] = ['admin', 'supervisor', 'operator', 'viewer', 'scada'];
const people: Role[] = ['admin', 'supervisor', 'operator', 'viewer'];
const operating: Role[] = ['admin', 'supervisor', 'operator'];

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As in the OpenAPI document. */
  template: string;
  path: string;
  body?: unknown;
  allowed: Role[] | 'public';
  /** What an allowed role gets (inputs are valid, so it is never a 4xx of validation). */
  ok: number;
}

const now = Date.now();
const sample = { timestamp: now, deviceId: 'rtu-n01', tagId: 'casing_pressure', value: 410, quality: 192, sourceProtocol: 'HTTP' };
const wellTest = {
  testId: 't-1',
  wellId: 'n-01',
  tenantId: 'acme',
  timestamp: now,
  oilRateStbd: 420,
  flowingBottomholePressurePsia: 1800,
  reservoirPressurePsia: 3000,
  bubblePointPressurePsia: 2000,
};

const cases: Case[] = [
  {
    method: 'POST',
    template: '/v1/auth/sign-in',
    path: '/v1/auth/sign-in',
    body: { username: 'nobody', password: 'x' },
    allowed: 'public',
    ok: 404,
  },
  { method: 'GET', template: '/v1/me', path: '/v1/me', allowed: roles, ok: 200 },
  // The fixture has no users: refresh has no sign-in to serve; the tokens it issues carry no session to end.
  { method: 'POST', template: '/v1/auth/refresh', path: '/v1/auth/refresh', body: {}, allowed: 'public', ok: 404 },
  { method: 'POST', template: '/v1/auth/sign-out', path: '/v1/auth/sign-out', allowed: roles, ok: 409 },
  { method: 'DELETE', template: '/v1/users/{userId}/sessions', path: '/v1/users/ana/sessions', allowed: ['admin'], ok: 404 },
  { method: 'GET', template: '/v1/audit', path: '/v1/audit', allowed: ['admin', 'supervisor'], ok: 200 },
  { method: 'POST', template: '/v1/telemetry', path: '/v1/telemetry', body: { samples: [sample] }, allowed: ['admin', 'scada'], ok: 202 },
  {
    method: 'POST',
    template: '/v1/events/{topic}',
    path: '/v1/events/well-testing.test-completed',
    body: { data: wellTest },
    allowed: ['admin', 'supervisor', 'operator', 'scada'],
    ok: 202,
  },
  {
    method: 'POST',
    template: '/v1/functions/{name}/invoke',
    path: '/v1/functions/validate/invoke',
    body: { topic: 'scada.telemetry.raw', data: sample },
    allowed: ['admin', 'scada'],
    ok: 200,
  },
  { method: 'GET', template: '/v1/assets', path: '/v1/assets', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/devices', path: '/v1/devices', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/devices/{deviceId}', path: '/v1/devices/rtu-n01', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/current', path: '/v1/current', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/history', path: '/v1/history?deviceId=rtu-n01&tagId=casing_pressure', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/telemetry/quarantine', path: '/v1/telemetry/quarantine', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/wells/{wellId}/calculations', path: '/v1/wells/n-01/calculations', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/wells/{wellId}/status', path: '/v1/wells/n-01/status', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/production/daily', path: '/v1/production/daily?date=2026-03-07', allowed: people, ok: 200 },
  {
    method: 'GET',
    template: '/v1/fields/{fieldId}/production/daily/{date}/versions',
    path: '/v1/fields/north/production/daily/2026-03-07/versions',
    allowed: people,
    ok: 200,
  },
  { method: 'GET', template: '/v1/wells/{wellId}/production/daily', path: '/v1/wells/n-01/production/daily', allowed: people, ok: 200 },
  {
    method: 'POST',
    template: '/v1/wells/{wellId}/tests',
    path: '/v1/wells/n-01/tests',
    body: { deviceId: 'sep-north', reservoirPressurePsia: 2500, bubblePointPressurePsia: 1800 },
    allowed: operating,
    ok: 202,
  },
  { method: 'GET', template: '/v1/wells/{wellId}/tests', path: '/v1/wells/n-01/tests', allowed: people, ok: 200 },
  // No such test: an allowed role gets past the door and hears 404.
  { method: 'GET', template: '/v1/wells/{wellId}/tests/{testId}', path: '/v1/wells/n-01/tests/none', allowed: people, ok: 404 },
  { method: 'GET', template: '/v1/alarms', path: '/v1/alarms', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/alarms/history', path: '/v1/alarms/history', allowed: people, ok: 200 },
  // No such alarm: an allowed role gets past the door and hears 404.
  {
    method: 'POST',
    template: '/v1/alarms/{alarmId}/acknowledge',
    path: '/v1/alarms/none.x.H/acknowledge',
    body: {},
    allowed: operating,
    ok: 404,
  },
  {
    method: 'POST',
    template: '/v1/alarms/{alarmId}/shelve',
    path: '/v1/alarms/none.x.H/shelve',
    body: { durationSeconds: 600, comment: 'maintenance' },
    allowed: ['admin', 'supervisor'],
    ok: 404,
  },
  {
    method: 'POST',
    template: '/v1/alarms/{alarmId}/unshelve',
    path: '/v1/alarms/none.x.H/unshelve',
    body: {},
    allowed: ['admin', 'supervisor'],
    ok: 404,
  },
  {
    method: 'POST',
    template: '/v1/alarms/{alarmId}/suppress',
    path: '/v1/alarms/none.x.H/suppress',
    body: { comment: 'transmitter out for calibration' },
    allowed: ['admin', 'supervisor'],
    ok: 404,
  },
  {
    method: 'POST',
    template: '/v1/alarms/{alarmId}/unsuppress',
    path: '/v1/alarms/none.x.H/unsuppress',
    body: {},
    allowed: ['admin', 'supervisor'],
    ok: 404,
  },
  {
    method: 'POST',
    template: '/v1/commands',
    path: '/v1/commands',
    body: { siteId: 'pad-1', deviceId: 'rtu-n01', tagId: 'esp_frequency_setpoint', value: 52 },
    allowed: operating,
    ok: 202,
  },
  { method: 'GET', template: '/v1/commands/results', path: '/v1/commands/results', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/config/{kind}', path: '/v1/config/alarm-rules', allowed: ['admin', 'supervisor'], ok: 200 },
  // The fixture reads configuration from files: an admin gets past the door and hears 409 (read from files).
  {
    method: 'PUT',
    template: '/v1/config/{kind}',
    path: '/v1/config/alarm-rules',
    body: { rules: [{ tagId: 'tubing_pressure', limits: { H: 1200 } }] },
    allowed: ['admin'],
    ok: 409,
  },
  { method: 'GET', template: '/v1/status/functions', path: '/v1/status/functions', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/status/edge', path: '/v1/status/edge', allowed: people, ok: 200 },
  { method: 'GET', template: '/v1/notifications/failures', path: '/v1/notifications/failures', allowed: people, ok: 200 },
];

/** The WebSocket routes, which are not OpenAPI operations. */
const streams = [
  { path: '/v1/live', allowed: people },
  { path: '/api/v1/stream?device_ids=rtu-n01', allowed: people },
];

let f: GatewayFixture;
beforeAll(async () => {
  f = await gatewayFixture({
    db: true,
    options: { rateLimits: { read: 10_000, write: 10_000, ingest: 10_000, signIn: 10_000, windowMs: 60_000 } },
  });
}, 120_000);
afterAll(async () => f?.close(), 60_000);

describe('role × route matrix', () => {
  it('covers every operation of the OpenAPI document', async () => {
    const doc = (await (await f.request('GET', '/v1/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(cases.map((c) => `${c.method} ${c.template}`).sort());
  });

  it('documents the roles of each operation as the matrix says', async () => {
    const doc = (await (await f.request('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { 'x-flowline-roles'?: unknown }>>;
    };
    for (const c of cases) {
      const roles = doc.paths[c.template]?.[c.method.toLowerCase()]?.['x-flowline-roles'];
      if (c.allowed === 'public' || c.template === '/v1/me' || c.template === '/v1/auth/sign-out') expect(roles).toBe('any');
      else expect([...(roles as Role[])].sort()).toEqual([...c.allowed].sort());
    }
  });

  for (const c of cases) {
    describe(`${c.method} ${c.template}`, () => {
      if (c.allowed !== 'public') {
        it('refuses a request without credentials (401)', async () => {
          const res = await f.request(c.method, c.path, { body: c.body });
          expect(res.status).toBe(401);
          expect(((await res.json()) as { error: string }).error).toMatch(/sign in|Bearer/);
        });
      }
      for (const role of roles) {
        const allowed = c.allowed === 'public' || c.allowed.includes(role);
        it(`${allowed ? 'lets' : 'refuses'} ${role}`, async () => {
          const res = await f.request(c.method, c.path, { role, body: c.body });
          const body = (await res.json()) as { error?: string };
          if (allowed) expect(res.status, body.error).toBe(c.ok);
          else {
            expect(res.status).toBe(403);
            expect(body.error).toContain(`your role "${role}" may not`);
          }
        });
      }
    });
  }

  describe('WebSocket streams', () => {
    let server: Awaited<ReturnType<GatewayFixture['listen']>>;
    beforeAll(async () => {
      server = await f.listen();
    }, 120_000);
    afterAll(async () => server?.close());

    const connect = (path: string, token: string | undefined) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, token ? ['flowline.v1', `bearer.${token}`] : []);
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          socket.terminate();
        });
        socket.on('error', () => {});
      });

    for (const stream of streams) {
      it(`${stream.path}: 401 without credentials`, async () => {
        expect(await connect(stream.path, undefined)).toBe(401);
      });
      for (const role of roles) {
        const allowed = stream.allowed.includes(role);
        it(`${stream.path}: ${allowed ? 'opens for' : 'refuses'} ${role}`, async () => {
          expect(await connect(stream.path, await f.token(role))).toBe(allowed ? 101 : 403);
        });
      }
    }
  });
});
