import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeCa } from '../../local-dev/services/kubernetes-pki.ts';
import { stateDir } from '../../local-dev/services/paths.ts';
import { type PostgresService, startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, freePort, startFunctionProcess } from '../support/function-process.ts';
import { connectTestKafka, type TestKafka, until } from '../support/kafka.ts';
import { type BrokerPki, makeBrokerPki } from '../support/own-mosquitto.ts';
import { OwnRedis } from '../support/own-redis.ts';

/**
 * Redis and PostgreSQL over TLS with nothing but the settings the README documents: REDIS_URL
 * rediss://… (a private CA through Node's NODE_EXTRA_CA_CERTS) and DATABASE_URL with
 * sslmode=verify-full&sslrootcert=<CA file>. A Redis that speaks TLS only and a PostgreSQL of
 * their own with TLS on (certificates for 127.0.0.1 from a CA made with openssl); a function on
 * the kafka host writes its state to Redis and is seen by PostgreSQL as a TLS client. With a CA
 * that did not sign the servers' certificates, it reports both not ready instead.
 */
const { kafkaBrokers } = inject('services');
const id = randomUUID().slice(0, 8);
const dir = join(stateDir, 'tmp', `tls-dependencies-${id}`);
const postgresState = join(stateDir, 'postgres-tls');
let pki: BrokerPki;
let rogueCa: string;
let redis: OwnRedis;
let postgres: PostgresService;
let kafka: TestKafka;
const processes: FunctionProcess[] = [];

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  pki = makeBrokerPki(dir);
  rogueCa = join(dir, 'rogue-ca.pem');
  makeCa(rogueCa, join(dir, 'rogue-ca.key'), 'flowline test rogue CA');
  const server = { certFile: pki.serverCert, keyFile: pki.serverKey };
  redis = new OwnRedis(await freePort(), { tls: { ...server, caFile: pki.caCert } });
  await redis.start();
  postgres = await startPostgres({ port: await freePort(), stateDir: postgresState, tls: server });
  kafka = await connectTestKafka(kafkaBrokers);
}, 180_000);
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await kafka?.close();
  await redis?.kill();
  if (postgres?.started) await stopPostgres({ stateDir: postgresState });
});

async function functionWith(name: string, topic: string, out: string, ca: string): Promise<FunctionProcess> {
  const dir = fixtureFunction('probe', { name, subscribes: [topic], publishes: [out], needs: ['redis', 'postgres'] });
  const proc = await startFunctionProcess({
    dir,
    name,
    env: {
      FLOWLINE_HOST: 'kafka',
      KAFKA_BROKERS: kafkaBrokers,
      REDIS_URL: redis.url,
      NODE_EXTRA_CA_CERTS: ca,
      DATABASE_URL: `${postgres.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`,
      FIXTURE_TOPIC: topic,
      FIXTURE_OUT: out,
    },
  });
  processes.push(proc);
  return proc;
}

describe('Redis and PostgreSQL over TLS', () => {
  it('a function keeps its state in Redis over TLS and reaches PostgreSQL as a verified TLS client', async () => {
    const name = `tls-deps-${id}`;
    const topic = `test.tls-deps-${id}.in`;
    const out = `test.tls-deps-${id}.out`;
    await kafka.createTopics([topic, out, `${topic}.dlq`], 1);
    const proc = await functionWith(name, topic, out, pki.caCert);
    await proc.ready();

    // `remember` writes to ctx.state (Redis) and publishes what it read back.
    const items = Array.from({ length: 6 }, (_, seq) => ({ key: `dev-${seq}`, data: { key: `dev-${seq}`, seq, action: 'remember' } }));
    await kafka.produce(topic, items);
    const produced = await kafka.readAll(out, items.length);
    expect(produced.map((m) => (JSON.parse(m.value) as { data: { doubled: number } }).data.doubled).sort((a, b) => a - b)).toEqual(
      items.map((i) => i.data.seq * 2),
    );

    const admin = new pg.Client({ connectionString: `${postgres.url}?sslmode=verify-full&sslrootcert=${encodeURIComponent(pki.caCert)}` });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ssl: boolean }>(
        'SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1',
        [`flowline-${name}`],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await admin.end();
    }
  });

  it('reports both not ready, PostgreSQL with the certificate error, when the CA did not sign their certificates', async () => {
    const name = `tls-rogue-${id}`;
    const topic = `test.tls-rogue-${id}.in`;
    await kafka.createTopics([topic, `${topic}.dlq`], 1);
    const proc = await functionWith(name, topic, `${topic}.out`, rogueCa);
    const readiness = await until(async () => {
      const res = await fetch(`http://127.0.0.1:${proc.port}/readyz`).catch(() => undefined);
      return res ? { status: res.status, body: (await res.json()) as { checks: Record<string, string> } } : undefined;
    }, 'the function answering /readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.checks.redis).not.toBe('ok');
    expect(readiness.body.checks.postgres).toMatch(/certificate/);
  });
});
