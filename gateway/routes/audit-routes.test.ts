import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { type GatewayFixture, gatewayFixture } from '../testing/gateway-fixture.ts';

/**
 * GET /v1/audit over the real persist function's audit_log: facts published on
 * system.audit-log, stored by persist, read back filtered and in pages; an administrator
 * reads every tenant, a supervisor only their own.
 */
let f: GatewayFixture;
const t0 = Date.now() - 3_600_000;

const fact = (n: number, tenantId: string | undefined, over: Partial<AuditLog>): AuditLog => ({
  auditId: `audit-${n}`,
  timestamp: t0 + n * 60_000,
  source: 'flowline/gateway',
  actor: { userId: 'ana', role: 'operator' },
  action: 'alarm.acknowledge',
  resource: 'alarm/rtu-n01.tubing_pressure.H',
  outcome: 'success',
  ...(tenantId ? { details: { tenantId } } : {}),
  ...over,
});

const facts: AuditLog[] = [
  fact(1, 'acme', {}),
  fact(2, 'acme', { action: 'alarm.shelve', actor: { userId: 'sam', role: 'supervisor' } }),
  fact(3, 'acme', { action: 'command.request', resource: 'pad-7/rtu-n01/esp_frequency_setpoint', correlationId: 'cmd-1' }),
  fact(4, 'acme', { action: 'config.change', outcome: 'refused', reason: 'role operator may not config.change', resource: '/v1/config/x' }),
  fact(5, 'globex', { actor: { userId: 'gus', role: 'operator' }, resource: 'alarm/rtu-s01.tubing_pressure.H' }),
  fact(6, undefined, { source: 'flowline/edge/pad-7', action: 'scada.command.write', actor: { userId: 'edge', role: 'scada' } }),
  fact(7, 'acme', { action: 'alarms.acknowledge-all' }), // not under `alarm.`: a prefix is a whole dotted word
];

beforeAll(async () => {
  f = await gatewayFixture({ db: true });
  for (const data of facts) f.bed.publish('system.audit-log', data, { key: 'audit' });
  await f.bed.drained();
}, 120_000);
afterAll(async () => f?.close(), 60_000);

interface Page {
  from: number;
  to: number;
  entries: { auditId: string; tenantId: string | null; timestamp: number; actor: { userId: string }; correlationId: string | null }[];
  nextCursor: string | null;
}
const read = async (query: string, role: 'admin' | 'supervisor' | 'operator' = 'admin', tenantId = 'acme') => {
  const res = await f.request('GET', `/v1/audit?from=${t0}&${query}`, { role, tenantId });
  return { status: res.status, body: (await res.json()) as Page & { error?: string } };
};
const ids = (page: Page) => page.entries.map((e) => e.auditId);

describe('GET /v1/audit', () => {
  it('shows an administrator every tenant’s facts, newest first, and one tenant’s on request', async () => {
    const all = await read('');
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(['audit-7', 'audit-6', 'audit-5', 'audit-4', 'audit-3', 'audit-2', 'audit-1']);
    expect(all.body.entries.find((e) => e.auditId === 'audit-6')?.tenantId).toBeNull();
    expect(all.body.entries.find((e) => e.auditId === 'audit-3')).toMatchObject({
      timestamp: t0 + 3 * 60_000,
      correlationId: 'cmd-1',
      tenantId: 'acme',
    });
    expect(ids((await read('tenantId=globex')).body)).toEqual(['audit-5']);
  });

  it('shows a supervisor their own tenant only, and refuses another tenant', async () => {
    expect(ids((await read('', 'supervisor')).body)).toEqual(['audit-7', 'audit-4', 'audit-3', 'audit-2', 'audit-1']);
    expect(ids((await read('', 'supervisor', 'globex')).body)).toEqual(['audit-5']);
    const other = await read('tenantId=globex', 'supervisor');
    expect(other.status).toBe(403);
    expect(other.body.error).toContain('own tenant only');
    expect((await read('', 'operator')).status).toBe(403);
  });

  it('filters by actor, action (or its dotted prefix), resource prefix, outcome and time', async () => {
    expect(ids((await read('actor=sam')).body)).toEqual(['audit-2']);
    expect(ids((await read('action=alarm&tenantId=acme')).body)).toEqual(['audit-2', 'audit-1']);
    expect(ids((await read('action=alarm.shelve')).body)).toEqual(['audit-2']);
    expect(ids((await read('resource=pad-7%2F')).body)).toEqual(['audit-3']);
    expect(ids((await read('resource=100%25')).body)).toEqual([]); // a % is a character, not a wildcard
    expect(ids((await read('outcome=refused')).body)).toEqual(['audit-4']);
    const window = await read(`to=${t0 + 3 * 60_000}`);
    expect(ids(window.body)).toEqual(['audit-2', 'audit-1']); // `to` is exclusive
    expect(window.body).toMatchObject({ from: t0, to: t0 + 3 * 60_000 });
  });

  it('pages with a cursor: every entry once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: Page } = await read(`limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...ids(page.body));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(['audit-7', 'audit-6', 'audit-5', 'audit-4', 'audit-3', 'audit-2', 'audit-1']);
  });

  it('refuses a range that ends before it starts, and a cursor it did not give', async () => {
    const backwards = await read(`to=${t0 - 1}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toContain('must be before');
    const forged = await read('cursor=yesterday');
    expect(forged.status).toBe(400);
    expect(forged.body.error).toContain('nextCursor');
  });
});
