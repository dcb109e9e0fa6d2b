import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '#contracts';
import { RateLimitSettings, rateLimitsOf } from '../../gateway/settings.ts';
import { type GatewayFixture, gatewayFixture } from '../../gateway/testing/gateway-fixture.ts';
import { until } from '../../gateway/testing/live-client.ts';
import { stateDir } from '../../local-dev/services/paths.ts';
import { installSchemathesis, schemathesisVersion } from '../../local-dev/services/schemathesis.ts';
import { parseEnv } from '../../runtime/config.ts';
import { type Exchange, runSchemathesis, type SchemathesisResult } from '../support/schemathesis.ts';
import { recordCase } from './journal.ts';

/**
 * Hostile HTTP (issue 12): schemathesis drives the gateway through its own OpenAPI
 * document with each role's token — every check it has (5xx, statuses, bodies, headers
 * and content types the document does not declare, schema-valid requests refused, 405s
 * for undeclared methods, auth that is ignored…), seeded so a run replays. The gateway
 * is the unit tests' one (real functions on the memory host, embedded PostgreSQL) with
 * two tenants; the fuzzer is acme's, and is handed globex's ids too, so it tries to read
 * them. Counts go to test-results/faults.md.
 *
 * Alone: `npm run test:fuzz`. FLOWLINE_FUZZ_EXAMPLES sets the examples per operation.
 */
const roles = ['admin', 'supervisor', 'operator', 'viewer', 'scada'] as const satisfies readonly Role[];
const examplesPerOperation = Number(process.env.FLOWLINE_FUZZ_EXAMPLES || 30);
if (!Number.isInteger(examplesPerOperation) || examplesPerOperation < 1)
  throw new Error(
    `FLOWLINE_FUZZ_EXAMPLES is "${process.env.FLOWLINE_FUZZ_EXAMPLES}": use a whole number of examples per operation, e.g. 30`,
  );
const seed = 20_261_204;
const reportRoot = join(stateDir, 'http-fuzz');

// A few thousand requests a role in one frozen clock window: raised through the gateway's own
// settings (the variables gateway/main.ts and npm start read), not bypassed.
const fuzzRates = {
  GATEWAY_RATE_READ_PER_MINUTE: '1000000',
  GATEWAY_RATE_WRITE_PER_MINUTE: '1000000',
  GATEWAY_RATE_INGEST_PER_MINUTE: '1000000',
  GATEWAY_RATE_SIGN_IN_PER_MINUTE: '1000000',
};

/**
 * What a handler checks and OpenAPI cannot state, per operation. The document declares each
 * of these answers and says why; schemathesis is told a schema-valid request may get them
 * there. No check is disabled and nothing else is relaxed.
 */
const refusalsTheSchemaCannotState: { path: string; status: number; why: string }[] = [
  { path: '/v1/history', status: 400, why: '`from` before `to` (one parameter against another), a span of at most 400 days' },
  { path: '/v1/alarms/history', status: 400, why: '`from` before `to`, a span of at most 400 days' },
  { path: '/v1/wells/{wellId}/status', status: 400, why: '`from` before `to`' },
  { path: '/v1/audit', status: 400, why: '`from` before `to`, a span of at most 400 days' },
  { path: '/v1/wells/{wellId}/tests', status: 400, why: 'maxMinutes at least plannedMinutes, a device the well flows through' },
  { path: '/v1/production/daily', status: 400, why: 'a day of the calendar (2026-02-30 matches the pattern)' },
  { path: '/v1/fields/{fieldId}/production/daily/{date}/versions', status: 400, why: 'a day of the calendar' },
  {
    path: '/v1/wells/{wellId}/production/daily',
    status: 400,
    why: 'days of the calendar, `from` not after `to`, a span of at most 400 days',
  },
  { path: '/v1/events/{topic}', status: 400, why: '`data` must be an event of the topic named in the path' },
  {
    path: '/v1/functions/{name}/invoke',
    status: 422,
    why: 'the function rejects data it can never process (each function has its own schema)',
  },
  { path: '/v1/telemetry', status: 422, why: 'samples must be of devices the caller’s tenant has' },
];
// schemathesis' own list for positive_data_acceptance, which a per-operation setting replaces.
const acceptedByDefault = ['2xx', '3xx', '401', '403', '404', '409', '429', '5xx'];

const acme = { devices: ['rtu-n01', 'rtu-n02', 'sep-north'], wells: ['n-01', 'n-02'], fields: ['north'] };
const globex = { devices: ['rtu-s01'], wells: ['s-01'], fields: ['south'] };

let f: GatewayFixture;
let server: Awaited<ReturnType<GatewayFixture['listen']>>;
let st: string;
let configFile: string;
/** Values that only globex's data carries: as a JSON string anywhere in an answer to acme, a read across tenants. */
let globexMarkers: Set<string>;

function configToml(alarmIds: string[]): string {
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  const bind = (key: string, dictionary: string) => `${JSON.stringify(key)} = { dictionary = "${dictionary}", probability = 0.5 }`;
  return [
    "# Written by tests/faults/http-fuzz.test.ts. Both tenants' ids, so the fuzzer asks for globex's too.",
    `[dictionaries.devices]\nvalues = ${list([...acme.devices, ...globex.devices])}`,
    `[dictionaries.wells]\nvalues = ${list([...acme.wells, ...globex.wells])}`,
    `[dictionaries.assets]\nvalues = ${list([...acme.wells, ...acme.fields, ...globex.wells, ...globex.fields, 'n-01,s-01'])}`,
    `[dictionaries.alarms]\nvalues = ${list(alarmIds)}`,
    '[parameters]',
    bind('deviceId', 'devices'),
    bind('body.deviceId', 'devices'),
    bind('body.samples[*].deviceId', 'devices'),
    bind('wellId', 'wells'),
    bind('assetIds', 'assets'),
    bind('alarmId', 'alarms'),
    ...refusalsTheSchemaCannotState.flatMap(({ path, status, why }) => [
      `# ${why}`,
      '[[operations]]',
      `include-path = ${JSON.stringify(path)}`,
      `checks.positive_data_acceptance.expected-statuses = ${list([...acceptedByDefault, String(status)])}`,
    ]),
    '',
  ].join('\n');
}

/** Every string in a JSON answer (keys too); an answer that is not JSON has none. */
function stringsOf(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        out.push(k);
        walk(x);
      }
  };
  walk(value);
  return out;
}

// By design an admin reads a configuration document whole (scope "global"): the documents are
// shared by every tenant, and only admins change them (gateway/auth/permissions.ts). Everyone
// else, a supervisor reading the same route included, gets their tenant's part, and is scanned.
const isGlobalConfigRead = (role: Role, e: Exchange) =>
  role === 'admin' && new URL(e.url).pathname.startsWith('/v1/config/') && e.status === 200 && /"scope":"global"/.test(e.responseBody);

// Likewise an admin reads every tenant's audit trail (issue 17: tenant-scoped for supervisors only).
const isAdminAuditRead = (role: Role, e: Exchange) => role === 'admin' && new URL(e.url).pathname === '/v1/audit' && e.status === 200;

const foreignReadsOf = (role: Role, exchanges: Exchange[]) =>
  exchanges.filter(
    (e) => !isGlobalConfigRead(role, e) && !isAdminAuditRead(role, e) && stringsOf(e.responseBody).some((s) => globexMarkers.has(s)),
  );

beforeAll(async () => {
  st = installSchemathesis();
  f = await gatewayFixture({ db: true, options: { rateLimits: rateLimitsOf(parseEnv(RateLimitSettings, fuzzRates)) } });
  // Each tenant's seeded data: values, history, an alarm (tubing pressure past H).
  const t0 = Date.now() - 10_000;
  for (const [tenantId, deviceId] of [
    ['acme', 'rtu-n01'],
    ['globex', 'rtu-s01'],
  ] as const) {
    const samples = [900, 1300].map((value, i) => ({ timestamp: t0 + i * 1000, deviceId, tagId: 'tubing_pressure', value, quality: 192 }));
    const res = await f.request('POST', '/v1/telemetry', { role: 'scada', tenantId, body: { samples } });
    expect(res.status, `seeding ${tenantId}`).toBe(202);
  }
  await f.bed.drained();
  await until(
    async () => (await f.redis.zcard('alarms:active:globex')) === 1 && (await f.redis.zcard('alarms:active:acme')) === 1,
    'an active alarm in each tenant',
  );
  await f.bed.drained();
  const globexAlarms = await f.redis.zrange('alarms:active:globex', 0, -1);
  const acmeAlarms = await f.redis.zrange('alarms:active:acme', 0, -1);
  globexMarkers = new Set(['globex', 'Globex Oil', 'S-01', 'South', ...globex.devices, ...globex.wells, ...globex.fields, ...globexAlarms]);
  mkdirSync(reportRoot, { recursive: true });
  configFile = join(reportRoot, 'schemathesis.toml');
  writeFileSync(configFile, configToml([...acmeAlarms, ...globexAlarms]));
  server = await f.listen();
}, 300_000);

afterAll(async () => {
  await server?.close();
  await f?.close();
}, 60_000);

describe(`schemathesis ${schemathesisVersion} against the gateway's own OpenAPI document`, () => {
  const results = new Map<Role, SchemathesisResult>();

  it.each(roles)('as %s: no 5xx, no check broken, nothing of the other tenant', async (role) => {
    const started = Date.now();
    const result = await runSchemathesis({
      st,
      openapiUrl: `${server.url}/v1/openapi.json`,
      configFile,
      headers: { Authorization: `Bearer ${await f.token(role, 'acme', `fuzz-${role}`)}` },
      examplesPerOperation,
      seed,
      reportDir: join(reportRoot, role),
      // A cap for a run that hangs, not a speed check: a role takes ~30 s alone, four times that on a busy machine.
      timeoutMs: 300_000,
    });
    results.set(role, result);
    const serverErrors = result.exchanges.filter((e) => e.status >= 500);
    const foreign = foreignReadsOf(role, result.exchanges);
    recordCase({
      name: `http fuzz (${role})`,
      fault: `schemathesis ${schemathesisVersion}, --checks all, ${examplesPerOperation} examples per operation, seed ${seed}`,
      sent: result.exchanges.length,
      stored: 0,
      lost: 0,
      absorbed: 0,
      duplicates: 0,
      deadLetters: {},
      notes: `${Math.round((Date.now() - started) / 1000)} s`,
      http: {
        role,
        operations: result.operations,
        cases: result.exchanges.length,
        serverErrors: serverErrors.length,
        failures: result.failures + result.errors,
        foreignReads: foreign.length,
      },
    });
    const where = `(reports in ${join(reportRoot, role)})`;
    expect(result.exchanges.length, `schemathesis sent nothing ${where}:\n${result.output.slice(-2000)}`).toBeGreaterThan(
      result.operations * 2,
    );
    expect(
      serverErrors.map((e) => `${e.method} ${e.url} → ${e.status}`),
      `5xx answers ${where}`,
    ).toEqual([]);
    expect(result.failureSummaries, `checks that broke ${where}`).toEqual([]);
    expect(result.failures + result.errors, where).toBe(0);
    expect(
      foreign.map((e) => `${e.method} ${e.url} → ${e.status} ${e.responseBody.slice(0, 200)}`),
      `answers to acme carrying globex's data ${where}`,
    ).toEqual([]);
    expect(result.exitCode, `st exited with ${result.exitCode} ${where}:\n${result.output.slice(-2000)}`).toBe(0);
  });

  it('would have seen a read of globex: its data is there, and the scan finds its ids in an answer', async () => {
    const asGlobex = await f.request('GET', '/v1/current', { role: 'viewer', tenantId: 'globex' });
    expect(stringsOf(await asGlobex.text())).toContain('rtu-s01');
    const leak = {
      method: 'GET',
      url: `${server.url}/v1/current`,
      requestBody: '',
      status: 200,
      responseBody: '{"tags":[{"deviceId":"rtu-s01"}]}',
    };
    expect(foreignReadsOf('viewer', [leak])).toHaveLength(1);
    expect(foreignReadsOf('admin', [{ ...leak, responseBody: '{"error":"no device \\"rtu-s01\\" in your tenant"}' }])).toHaveLength(0);
  });

  it('reached the data: the people roles read acme’s own seeded device back, and asked for globex’s', () => {
    for (const role of ['admin', 'supervisor', 'operator', 'viewer'] as const) {
      const exchanges = results.get(role)?.exchanges ?? [];
      const ownReads = exchanges.filter((e) => e.status === 200 && stringsOf(e.responseBody).includes('rtu-n01'));
      const askedForGlobex = exchanges.filter((e) => globex.devices.concat(globex.wells).some((id) => e.url.includes(id)));
      expect(ownReads.length, `${role}: 200s carrying acme's rtu-n01`).toBeGreaterThan(0);
      expect(askedForGlobex.length, `${role}: requests naming globex's ids`).toBeGreaterThan(0);
    }
  });
});
