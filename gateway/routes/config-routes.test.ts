import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { fixtureAlarmRules, fixtureAssets, type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * GET and PUT /v1/config/{kind} on a gateway that keeps configuration in PostgreSQL
 * (persist's flowline_config, embedded PostgreSQL), and on one that reads files.
 */
const assets = load(fixtureAssets) as { devices: Record<string, unknown>[] };
const alarmRules = load(fixtureAlarmRules) as Record<string, unknown>;
type Answer = { status: number; body: Record<string, unknown> & { error?: string; issues?: { path: string; message: string }[] } };

describe('configuration in PostgreSQL', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await gatewayFixture({ db: true, configSource: 'postgres' });
  }, 120_000);
  afterAll(async () => f?.close(), 60_000);

  const call = async (method: string, kind: string, role: 'admin' | 'supervisor' | 'operator', body?: unknown): Promise<Answer> => {
    const res = await f.request(method, `/v1/config/${kind}`, { role, body, ...(role === 'supervisor' ? { tenantId: 'globex' } : {}) });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  };
  const row = async (kind: string) =>
    (await f.db?.query<{ document: unknown }>('SELECT document FROM flowline_config WHERE kind = $1', [kind]))?.rows[0]?.document;
  const audit = async () => {
    await f.bed.drained();
    return f.bed.events<AuditLog>('system.audit-log').map((e) => e.data);
  };

  it('says a document is not stored yet, and how to store one', async () => {
    const answer = await call('GET', 'assets', 'admin');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toContain('no "assets" row in flowline_config');
  });

  it('stores a valid document, audits it with its digest, and says functions read it at their next start', async () => {
    const answer = await call('PUT', 'assets', 'admin', assets);
    expect(answer).toMatchObject({ status: 200, body: { kind: 'assets', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(answer.body.appliesWhen).toMatch(/when they start.*rollout restart/);
    expect(await row('assets')).toEqual(assets);
    expect(await audit()).toContainEqual(
      expect.objectContaining({
        action: 'config.change',
        resource: 'config/assets',
        outcome: 'success',
        actor: { userId: 'admin-user', role: 'admin' },
        details: expect.objectContaining({ kind: 'assets', sha256: answer.body.sha256, tenantId: 'acme' }),
      }),
    );
  });

  it('shows an admin the whole document, a supervisor only their tenant’s part', async () => {
    const whole = await call('GET', 'assets', 'admin');
    expect(whole).toMatchObject({ status: 200, body: { kind: 'assets', source: 'postgres', scope: 'global' } });
    expect((whole.body.document as { tenants: unknown[] }).tenants).toHaveLength(2);
    const part = await call('GET', 'assets', 'supervisor');
    expect(part).toMatchObject({ status: 200, body: { scope: 'tenant' } });
    expect((part.body.document as { devices: { id: string }[] }).devices.map((d) => d.id)).toEqual(['rtu-s01']);
  });

  it('answers an invalid document with the path of every problem, and keeps the stored one', async () => {
    const broken = {
      ...assets,
      wells: [{ id: 'n-01', name: 'N-01', fieldId: 'nowhere' }],
      devices: [{ id: 'rtu-n01', wellId: 'n-01', colour: 'red' }, { id: 'rtu-x' }],
    };
    const answer = await call('PUT', 'assets', 'admin', broken);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^"assets" is not valid, nothing was stored: 3 problem\(s\): /);
    expect(answer.body.issues?.map((i) => i.path).sort()).toEqual(['devices.0', 'devices.1', 'wells.0.fieldId']);
    expect(await row('assets')).toEqual(assets);
  });

  it('takes a document larger than an ordinary request may be (a large fleet’s registry)', async () => {
    const devices = Array.from({ length: 2_000 }, (_, i) => ({ id: `rtu-n01-${i}`, wellId: 'n-01', description: 'ESP controller, pad 7' }));
    const big = { ...assets, devices: [...assets.devices, ...devices] };
    expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
    expect((await call('PUT', 'assets', 'admin', big)).status).toBe(200);
    expect((await call('PUT', 'assets', 'admin', assets)).status).toBe(200);
  });

  it('lets only admins change configuration: the documents are global', async () => {
    const refused = await call('PUT', 'alarm-rules', 'supervisor', alarmRules);
    expect(refused.status).toBe(403);
    expect(await row('alarm-rules')).toBeUndefined();
    expect(await audit()).toContainEqual(expect.objectContaining({ action: 'config.change', outcome: 'refused' }));
    expect((await call('GET', 'alarm-rules', 'operator')).status).toBe(403);
  });

  it('knows only the documents of config/load.ts', async () => {
    const answer = await call('GET', 'passwords', 'admin');
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^invalid path: kind: /);
  });
});

describe('configuration read from files', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await gatewayFixture();
  }, 120_000);
  afterAll(async () => f?.close(), 60_000);

  it('reads the document from its folder', async () => {
    const res = await f.request('GET', '/v1/config/alarm-rules', { role: 'admin' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: 'files', document: { rules: [{ tagId: 'tubing_pressure', deadband: 25 }] } });
  });

  it('refuses a change (409) and says how to switch to PostgreSQL', async () => {
    const res = await f.request('PUT', '/v1/config/alarm-rules', { role: 'admin', body: alarmRules });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as { error: string };
    expect(error).toMatch(/^configuration is read from files \(.+\), so it cannot be changed here: edit alarm-rules\.yaml there/);
    expect(error).toContain('FLOWLINE_CONFIG_SOURCE=postgres');
  });
});
