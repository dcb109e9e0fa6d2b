import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuditLog } from '#contracts';
import { AssetRegistry } from '../../config/asset-registry.ts';
import { saveConfig } from '../../config/load.ts';
import { migrate } from '../../functions/persist/migrate.ts';
import { hashPassword } from '../../gateway/auth/password-hash.ts';
import { type Db, openDb } from '../../runtime/resources/db.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';
import { type GatewayProcess, type GatewayRun, prepareRun, startGatewayProcess } from './gateway-fixtures.ts';

/**
 * Configuration kept in PostgreSQL (FLOWLINE_CONFIG_SOURCE=postgres), changed through
 * `node gateway/main.ts` as the chart runs it: the gateway starts from the registry in
 * flowline_config, an admin replaces a document, the row and its audit record on
 * Kafka's system.audit-log both appear; a supervisor only reads their tenant's part.
 */
const { kafkaBrokers, redisUrl, databaseUrl } = inject('services');
const id = randomUUID().slice(0, 8);
const password = `pw-${randomUUID()}`;
let run: GatewayRun;
let kafka: TestKafka;
let db: Db;
let gateway: GatewayProcess;

beforeAll(async () => {
  run = prepareRun(id, []);
  kafka = await connectTestKafka(kafkaBrokers);
  await kafka.createTopics(['system.audit-log'], 3);
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE config_${id}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/config_${id}`;
  db = await openDb(url.toString(), { poolSize: 2 });
  await migrate(db); // persist's migrations create flowline_config
  await saveConfig('assets', AssetRegistry, load(readFileSync(join(run.configDir, 'assets.yaml'), 'utf8')), db);

  const usersFile = join(run.configDir, 'users.yaml');
  const passwordHash = await hashPassword(password);
  writeFileSync(
    usersFile,
    dump({ users: ['admin', 'supervisor'].map((role) => ({ username: `${role}-${id}`, passwordHash, role, tenantId: run.tenantId })) }),
  );
  gateway = await startGatewayProcess({
    KAFKA_BROKERS: kafkaBrokers,
    REDIS_URL: redisUrl,
    DATABASE_URL: url.toString(),
    FLOWLINE_HOST: 'kafka',
    FLOWLINE_CONFIG_SOURCE: 'postgres',
    FLOWLINE_FUNCTIONS_DIR: run.functionsDir,
    GATEWAY_JWT_SECRET: randomBytes(32).toString('hex'),
    GATEWAY_USERS_FILE: usersFile,
    GATEWAY_KAFKA_GROUP: `gateway-${id}`,
  });
}, 300_000);

afterAll(async () => {
  expect(await gateway?.stop()).toBe(0);
  await db?.close();
  await kafka?.close();
}, 60_000);

const signIn = async (role: 'admin' | 'supervisor') => {
  const res = await fetch(`${gateway.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `${role}-${id}`, password }),
  });
  return ((await res.json()) as { token: string }).token;
};
const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('configuration in PostgreSQL, through the gateway process', () => {
  const tagRules = { tags: [{ tagId: 'tubing_pressure', unit: 'psi', range: { min: 0, max: 6000 } }] };

  it('replaces a document: the row in flowline_config and its audit record on Kafka', async () => {
    const admin = await signIn('admin');
    const stored = await call('PUT', '/v1/config/tag-rules', admin, tagRules);
    expect(stored).toMatchObject({ status: 200, body: { kind: 'tag-rules', sha256: expect.any(String) } });
    const { rows } = await db.query<{ document: unknown }>(`SELECT document FROM flowline_config WHERE kind = 'tag-rules'`);
    expect(rows[0]?.document).toEqual(tagRules);
    const [audit] = await kafka.readMatching(
      'system.audit-log',
      (m) => m.key === run.tenantId && m.value.includes('config.change'),
      1,
      60_000,
    );
    expect(JSON.parse(audit?.value ?? '{}').data as AuditLog).toMatchObject({
      action: 'config.change',
      resource: 'config/tag-rules',
      outcome: 'success',
      actor: { userId: `admin-${id}`, role: 'admin' },
      details: { kind: 'tag-rules', sha256: stored.body.sha256 },
    });
    expect(await call('GET', '/v1/config/tag-rules', admin)).toMatchObject({
      status: 200,
      body: { source: 'postgres', scope: 'global', document: { tags: [expect.objectContaining({ range: { min: 0, max: 6000 } })] } },
    });
  });

  it('lets a supervisor read their tenant’s part of a document, and change nothing', async () => {
    const supervisor = await signIn('supervisor');
    const read = await call('GET', '/v1/config/assets', supervisor);
    expect(read).toMatchObject({ status: 200, body: { scope: 'tenant' } });
    expect((read.body.document as { devices: { id: string }[] }).devices.map((d) => d.id).sort()).toEqual([...run.devices].sort());
    expect((await call('PUT', '/v1/config/tag-rules', supervisor, { tags: [] })).status).toBe(403);
    const { rows } = await db.query<{ document: unknown }>(`SELECT document FROM flowline_config WHERE kind = 'tag-rules'`);
    expect(rows[0]?.document).toEqual(tagRules);
  });
});
