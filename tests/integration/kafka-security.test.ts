import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { loadEdgeConfig } from '../../edge-adapter/config/load-edge-config.ts';
import { kafkaConnectionOf, kafkaSettingNamesOf } from '../../edge-adapter/sinks/kafka-connection.ts';
import { kafkaSink } from '../../edge-adapter/sinks/kafka-sink.ts';
import { kafkaPublisher } from '../../gateway/bus/kafka-publisher.ts';
import type { FunctionLag } from '../../keda/lag.ts';
import { main as lagMain } from '../../keda/lag-command.ts';
import type { SecureKafkaService } from '../../local-dev/services/kafka.ts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';
import { parseEnv, RuntimeEnv } from '../../runtime/config.ts';
import { checkKafkaAccess } from '../../runtime/hosts/kafka/access-check.ts';
import { createKafka } from '../../runtime/hosts/kafka/client.ts';
import { kafkaConnectionFromEnv } from '../../runtime/hosts/kafka/connection-from-env.ts';
import { isKafkaAccessError } from '../../runtime/hosts/kafka/kafka-access-error.ts';
import { fixtureFunction } from '../support/fixture-function.ts';
import { type FunctionProcess, startFunctionProcess } from '../support/function-process.ts';
import { startGatewayProcess } from '../support/gateway-process.ts';
import { connectTestKafka, type TestKafka } from '../support/kafka.ts';

/**
 * Every Kafka client of Flowline against a broker that demands TLS, SCRAM-SHA-512 or a client
 * certificate (local-dev/services/kafka.ts, startSecureKafka): the function runner on the kafka
 * host, the gateway, the edge adapter's sink and `flowline lag` connect over each listener
 * with nothing but their settings; and each way of being refused (a CA that is not the
 * broker's, an expired or foreign client certificate, none at all, a wrong password) stops the
 * process at start with a message naming the setting, instead of retrying as if the broker were slow.
 * The test's own set-up and read-back go over the broker's plaintext listener.
 */
const { redisUrl, databaseUrl } = inject('services');
const id = randomUUID().slice(0, 8);
let secure: SecureKafkaService;
let plain: TestKafka;
const processes: FunctionProcess[] = [];
const quiet = pino({ level: 'silent' });

beforeAll(async () => {
  secure = inject('secureKafka');
  plain = await connectTestKafka(secure.brokers);
}, 180_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await plain?.close();
});

/** The environment a process is given for each listener: exactly what a platform team would set. */
const listeners = {
  'SSL (server authentication)': () => ({ KAFKA_BROKERS: secure.ssl, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: secure.pki.caCert }),
  'SASL_SSL with SCRAM-SHA-512': () => ({
    KAFKA_BROKERS: secure.saslSsl,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: secure.pki.caCert,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: secure.scram.username,
    KAFKA_SASL_PASSWORD: secure.scram.password,
  }),
  'mutual TLS (client certificate required)': () => ({
    KAFKA_BROKERS: secure.mtls,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: secure.pki.caCert,
    KAFKA_SSL_CERT_FILE: secure.pki.client.cert,
    KAFKA_SSL_KEY_FILE: secure.pki.client.key,
  }),
};
type Listener = keyof typeof listeners;

/** The edge adapter's YAML `kafka:` section with the same settings as these KAFKA_* variables. */
function edgeKafkaYaml(env: Record<string, string>): string {
  const ssl = [
    `caFile: ${JSON.stringify(env.KAFKA_SSL_CA_FILE)}`,
    ...(env.KAFKA_SSL_CERT_FILE
      ? [`certFile: ${JSON.stringify(env.KAFKA_SSL_CERT_FILE)}`, `keyFile: ${JSON.stringify(env.KAFKA_SSL_KEY_FILE)}`]
      : []),
  ];
  const sasl = env.KAFKA_SASL_MECHANISM
    ? `\n  sasl: { mechanism: ${env.KAFKA_SASL_MECHANISM}, username: ${env.KAFKA_SASL_USERNAME}, passwordEnv: EDGE_KAFKA_PASSWORD }`
    : '';
  return `kafka:\n  brokers: [${env.KAFKA_BROKERS}]\n  ssl: { ${ssl.join(', ')} }${sasl}\n`;
}

function writeEdgeConfig(name: string, kafkaYaml: string): string {
  const dir = join(stateDir, 'tmp', 'kafka-security', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'edge.yaml');
  writeFileSync(
    file,
    `# written by tests/integration/kafka-security.test.ts
site: ${name}
stateDir: ${JSON.stringify(join(dir, 'state'))}
http: { host: 127.0.0.1, port: 0 }
${kafkaYaml}topics: { telemetry: test.secure-${id}.edge }
commands: { enabled: false }
devices:
  - id: rtu-${name}
    protocol: modbus
    host: 127.0.0.1
    port: 1
    unitId: 1
    pollIntervalMs: 1000
    tags:
      - { id: pressure, table: input-register, address: 0, type: uint16 }
`,
  );
  return file;
}

describe.each(Object.keys(listeners) as Listener[])('over %s', (listener) => {
  const slug = listener.split(' ')[0]?.toLowerCase().replace('_', '-') ?? 'x';
  const env = () => listeners[listener]();

  it('a function on the kafka host consumes and produces, and flowline lag reads its group', async () => {
    const topic = `test.secure-${id}-${slug}.in`;
    const out = `test.secure-${id}-${slug}.out`;
    const name = `secure-${slug}-${id}`;
    await plain.createTopics([topic, out, `${topic}.dlq`], 3);
    const dir = fixtureFunction('probe', { name, subscribes: [topic], publishes: [out] });
    const proc = await startFunctionProcess({
      dir,
      name,
      env: { FLOWLINE_HOST: 'kafka', KAFKA_CREATE_TOPICS: 'false', FIXTURE_TOPIC: topic, FIXTURE_OUT: out, ...env() },
    });
    processes.push(proc);
    await proc.ready();
    const items = Array.from({ length: 20 }, (_, seq) => ({ key: `dev-${seq % 4}`, data: { key: `dev-${seq % 4}`, seq, action: 'ok' } }));
    await plain.produce(topic, items);
    const produced = await plain.readAll(out, items.length);
    expect(produced.map((m) => (JSON.parse(m.value) as { data: { doubled: number } }).data.doubled).sort((a, b) => a - b)).toEqual(
      items.map((i) => i.data.seq * 2),
    );

    // `flowline lag` with the same variables, over the same listener: the group has caught up.
    for (const [key, value] of Object.entries(env())) vi.stubEnv(key, value);
    const printed: string[] = [];
    const print = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      const functionsDir = join(dir, '..');
      await expect.poll(() => lagMain(['--functions', functionsDir, '--function', name, '--json']), { timeout: 30_000 }).toBe(0);
    } finally {
      print.mockRestore();
      vi.unstubAllEnvs();
    }
    const lag = JSON.parse(printed.at(-1) ?? '[]') as FunctionLag[];
    expect(lag.map((l) => l.target.function)).toEqual([name]);
    expect(lag[0]?.topics.flatMap((t) => t.partitions.map((p) => p.lag))).toEqual([0, 0, 0]);
    await proc.stop();
  });

  it("the gateway's publisher publishes through the gateway's own settings path", async () => {
    const topic = 'scada.telemetry.raw';
    await plain.createTopics([topic], 3);
    const connection = kafkaConnectionFromEnv(parseEnv(RuntimeEnv, env()), 'flowline-gateway-test');
    expect(await checkKafkaAccess(connection, { log: quiet })).toEqual({ reachable: true });
    const publisher = kafkaPublisher(createKafka(connection, quiet));
    try {
      await publisher.check();
      const sample = (seq: number) => ({
        timestamp: Date.now() - seq * 1000,
        deviceId: `rtu-${slug}`,
        tagId: 'tubing_pressure',
        value: seq,
        quality: 192,
        sourceProtocol: 'MODBUS',
      });
      const sent = await publisher.publish(Array.from({ length: 5 }, (_, seq) => ({ topic, key: `rtu-${slug}`, data: sample(seq) })));
      const ids = new Set(sent.map((e) => e.id));
      // Others write this topic on the run's secured broker too (not all of it JSON): match by id only.
      const idOf = (value: string) => {
        try {
          return String((JSON.parse(value) as { id?: unknown }).id);
        } catch {
          return '';
        }
      };
      const read = await plain.readMatching(topic, (m) => ids.has(idOf(m.value)), 5);
      expect(read).toHaveLength(5);
    } finally {
      await publisher.close();
    }
  });

  it("the edge adapter's sink sends with the YAML's kafka section", async () => {
    const topic = `test.secure-${id}.edge`;
    await plain.createTopics([topic], 3);
    const config = loadEdgeConfig(writeEdgeConfig(`edge-${slug}`, edgeKafkaYaml(listeners[listener]())), {
      EDGE_KAFKA_PASSWORD: secure.scram.password,
    });
    const connection = kafkaConnectionOf(config);
    expect(await checkKafkaAccess(connection, { log: quiet, names: kafkaSettingNamesOf(config) })).toEqual({ reachable: true });
    const sink = kafkaSink({ kafka: createKafka(connection, quiet), compression: 'gzip', log: quiet });
    const marker = `${slug}-${randomUUID()}`;
    try {
      await sink.send([{ topic, key: 'rtu-1', value: JSON.stringify({ marker }) }]);
    } finally {
      await sink.close();
    }
    const read = await plain.readMatching(topic, (m) => m.value.includes(marker), 1);
    expect(read).toHaveLength(1);
  });
});

describe('the gateway process', () => {
  const gatewayEnv = () => ({
    FLOWLINE_HOST: 'kafka',
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    GATEWAY_JWT_SECRET: 'a-test-secret-of-at-least-32-characters',
    FLOWLINE_FUNCTIONS_DIR: join(repoRoot, 'functions'),
  });

  it('becomes ready over SASL_SSL with its KAFKA_* settings (its /readyz checks the bus)', async () => {
    const gateway = await startGatewayProcess({ ...gatewayEnv(), ...listeners['SASL_SSL with SCRAM-SHA-512']() });
    expect(await gateway.stop()).toBe(0);
  });

  it('stops at start, exit 2, when the broker refuses its password', async () => {
    const result = await runToExit(join(repoRoot, 'gateway', 'main.ts'), [], {
      ...gatewayEnv(),
      ...listeners['SASL_SSL with SCRAM-SHA-512'](),
      KAFKA_SASL_PASSWORD: 'not-the-password',
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('refused SASL SCRAM-SHA-512 authentication as \\"flowline\\"');
    expect(result.output).toContain('KAFKA_SASL_PASSWORD');
  });
});

/** Runs a script to its end (bounded: a process stuck retrying fails the test), with its output. */
function runToExit(script: string, args: string[], env: Record<string, string>, timeoutMs = 30_000) {
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const child: ChildProcess = spawn(process.execPath, [script, ...args], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} still running after ${timeoutMs} ms (retrying instead of failing?):\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/** Each refusal, on the function runner: exit 2 at start, and the message says which setting and what to do. */
const refusals: { case: string; env: () => Record<string, string>; message: RegExp }[] = [
  {
    case: 'a CA that did not sign the broker’s certificate',
    env: () => ({ ...listeners['SSL (server authentication)'](), KAFKA_SSL_CA_FILE: secure.pki.rogueCaCert }),
    message:
      /presents a certificate that KAFKA_SSL_CA_FILE=\S+rogue-ca\.crt cannot verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set KAFKA_SSL_CA_FILE/,
  },
  {
    case: 'an expired client certificate',
    env: () => ({
      ...listeners['mutual TLS (client certificate required)'](),
      KAFKA_SSL_CERT_FILE: secure.pki.expiredClient.cert,
      KAFKA_SSL_KEY_FILE: secure.pki.expiredClient.key,
    }),
    message: /KAFKA_SSL_CERT_FILE=\S+expired-client\.crt expired on \S+: the broker refuses it; renew the client certificate/,
  },
  {
    case: 'a client certificate from a CA the broker does not trust',
    env: () => ({
      ...listeners['mutual TLS (client certificate required)'](),
      KAFKA_SSL_CERT_FILE: secure.pki.rogueClient.cert,
      KAFKA_SSL_KEY_FILE: secure.pki.rogueClient.key,
    }),
    message: /refused the client certificate KAFKA_SSL_CERT_FILE=\S+rogue-client\.crt \(TLS alert \S+\)/,
  },
  {
    case: 'no client certificate on the mutual-TLS listener',
    env: () => ({ KAFKA_BROKERS: secure.mtls, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: secure.pki.caCert }),
    message:
      /requires a client certificate \(mutual TLS\) and none is configured \(TLS alert \S+\): set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE/,
  },
  {
    case: 'a wrong SCRAM password',
    env: () => ({ ...listeners['SASL_SSL with SCRAM-SHA-512'](), KAFKA_SASL_PASSWORD: 'not-the-password' }),
    message:
      /refused SASL SCRAM-SHA-512 authentication as \\"flowline\\" \(wrong password, or no such user\): check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
  },
];

describe('refused at start, with the reason', () => {
  it.each(refusals)('the function runner stops on $case', async ({ env, message }) => {
    const topic = `test.secure-${id}.refused`;
    const dir = fixtureFunction('probe', { name: `refused-${id}`, subscribes: [topic] });
    const result = await runToExit(join(repoRoot, 'runtime', 'run.ts'), [dir], { FLOWLINE_HOST: 'kafka', FIXTURE_TOPIC: topic, ...env() });
    expect(result.output).toMatch(message);
    expect(result.code).toBe(2);
  });

  it.each(refusals)('the access check names the edge adapter’s YAML keys on $case', async ({ env: envOf }) => {
    const env: Record<string, string> = envOf();
    const file = writeEdgeConfig(`edge-refused-${randomUUID().slice(0, 6)}`, edgeKafkaYaml(env));
    const result = await runToExit(join(repoRoot, 'edge-adapter', 'main.ts'), ['--config', file], {
      EDGE_KAFKA_PASSWORD: env.KAFKA_SASL_PASSWORD ?? '',
    });
    expect(result.code).toBe(2);
    expect(result.output).toMatch(/kafka\.(ssl\.caFile|ssl\.certFile|sasl\.username)/);
    expect(result.output).not.toMatch(/KAFKA_SSL|KAFKA_SASL/);
  });

  it('flowline lag exits 2 with the reason (a configuration error, not unreadable lag)', async () => {
    const wrongCa = refusals[0] as (typeof refusals)[number];
    for (const [key, value] of Object.entries(wrongCa.env())) vi.stubEnv(key, value);
    const errors: string[] = [];
    const print = vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await lagMain(['--json'])).toBe(2);
    } finally {
      print.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(errors.join('\n')).toMatch(wrongCa.message);
  });

  it('is a KafkaAccessError for the code that embeds the clients', async () => {
    const connection = kafkaConnectionFromEnv(parseEnv(RuntimeEnv, refusals[4]?.env() ?? {}), 'embedded');
    const error = await checkKafkaAccess(connection, { log: quiet }).catch((e: unknown) => e);
    expect(isKafkaAccessError(error) && error.reason).toBe('sasl-credentials-refused');
  });
});
