import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafkaPki, type KafkaPki } from './kafka-pki.ts';
import { cacheDir, logsDir, repoRoot, stateDir } from './paths.ts';
import { envPort, isAlive, log, portOpen, readPid, run, ServiceError, startDaemon, stopDaemon, waitForPort, which } from './process.ts';

const pom = join(repoRoot, 'local-dev', 'kafka', 'pom.xml');
export const kafkaVersion = /<kafka\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'))?.[1] ?? 'unknown';

export interface KafkaService {
  brokers: string;
  port: number;
  /** True when this call started the broker (so the caller should stop it). */
  started: boolean;
}

/**
 * Which broker: the shared one (no instance) or a named one of its own, with its own data
 * directory, pid file and logs under .flowline/ (a test that stops and restarts its broker
 * must not take down the broker other tests use).
 */
export interface KafkaInstance {
  instance?: string;
}

const home = () => join(cacheDir, `kafka-${kafkaVersion}`);
const baseDir = (o: KafkaInstance) => join(stateDir, o.instance ? `kafka-${o.instance}` : 'kafka');
const dataDir = (o: KafkaInstance) => join(baseDir(o), 'data');
const pidFile = (o: KafkaInstance) => join(baseDir(o), 'broker.pid');
const logFile = (o: KafkaInstance) => join(logsDir, o.instance ? `kafka-${o.instance}.log` : 'kafka.log');
/** Where the broker's own log4j files (server.log) go. */
const serverLogsDir = (o: KafkaInstance) => (o.instance ? join(logsDir, `kafka-${o.instance}`) : logsDir);

/**
 * Fetches the official broker jars from Maven Central once (about 45 MB, seconds),
 * through Maven, which is the one tool that already knows how to resolve them.
 */
export function installKafka(): string {
  const libs = join(home(), 'libs');
  if (existsSync(join(libs, `kafka_2.13-${kafkaVersion}.jar`))) return libs;
  if (!which('java')) throw new ServiceError('Kafka needs Java 17+: install a JDK (Debian: apt-get install openjdk-17-jre-headless)');
  if (!which('mvn')) throw new ServiceError('fetching Kafka needs Maven: install it (Debian: apt-get install maven)');
  log(`fetching Apache Kafka ${kafkaVersion} (kafka_2.13 and its runtime dependencies) with Maven`);
  mkdirSync(libs, { recursive: true });
  run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'], {
    what: `fetching Kafka ${kafkaVersion}`,
  });
  return libs;
}

function java(libs: string, mainClass: string, args: string[]): string[] {
  return ['-cp', `${libs}/*`, mainClass, ...args];
}

/**
 * A second listener, `LINK`, reached through whatever the test puts at `advertisedPort`
 * (a proxy it can cut): clients that bootstrap there are told to come back there, so a
 * cut of that path is a cut of their link alone, as a WAN link to a pad would be.
 */
export interface LinkListener {
  port: number;
  advertisedPort: number;
}

/**
 * Starts a single-node KRaft broker on loopback, or reuses the one already running.
 * `instance` names a broker of its own (with `port`, and `port + 1` for its controller).
 */
export async function startKafka(options: { port?: number; link?: LinkListener } & KafkaInstance = {}): Promise<KafkaService> {
  const port = options.port ?? envPort('FLOWLINE_KAFKA_PORT', 19092);
  return startNode({ ...options, port, nodeId: 1, voters: [{ nodeId: 1, controllerPort: port + 1 }] });
}

/** SCRAM credentials the secured broker is formatted with. */
export interface ScramUser {
  mechanism: 'scram-sha-512';
  username: string;
  password: string;
}

/**
 * A broker that demands what production brokers demand, beside its plaintext listener (which
 * the tests use to set up topics): `ssl` (TLS, the broker authenticated), `saslSsl` (TLS and
 * SCRAM-SHA-512) and `mtls` (TLS with a client certificate required), all `host:port`.
 */
export interface SecureKafkaService extends KafkaService {
  ssl: string;
  saslSsl: string;
  mtls: string;
  pki: KafkaPki;
  scram: ScramUser;
}

interface SecureListeners {
  pki: KafkaPki;
  sslPort: number;
  saslSslPort: number;
  mtlsPort: number;
  scram: ScramUser;
}

// A local, throwaway broker's user: the secret protects nothing but a test topic on loopback.
const localScramUser: ScramUser = { mechanism: 'scram-sha-512', username: 'flowline', password: 'flowline-local-scram' };

/**
 * Starts (or reuses) the secured broker, instance `secure` by default: plaintext on `port`,
 * its controller on `port + 1`, then SSL, SASL_SSL and mutual TLS on `port + 2 … + 4`.
 * A broker of its own, so the ordinary test broker stays as quick to start as it is.
 */
export async function startSecureKafka(options: { port?: number } & KafkaInstance = {}): Promise<SecureKafkaService> {
  const port = options.port ?? envPort('FLOWLINE_KAFKA_SECURE_PORT', envPort('FLOWLINE_KAFKA_PORT', 19092) + 2);
  const instance = options.instance ?? 'secure';
  const pki = ensureKafkaPki(join(stateDir, 'kafka-pki'));
  const secure: SecureListeners = { pki, sslPort: port + 2, saslSslPort: port + 3, mtlsPort: port + 4, scram: localScramUser };
  const service = await startNode({ instance, port, nodeId: 1, voters: [{ nodeId: 1, controllerPort: port + 1 }], secure });
  const at = (p: number) => `127.0.0.1:${p}`;
  return { ...service, ssl: at(secure.sslPort), saslSsl: at(secure.saslSslPort), mtls: at(secure.mtlsPort), pki, scram: secure.scram };
}

export async function stopSecureKafka(options: KafkaInstance = {}): Promise<boolean> {
  return stopKafka({ instance: options.instance ?? 'secure' });
}

interface KafkaNode extends KafkaInstance {
  port: number;
  nodeId: number;
  voters: { nodeId: number; controllerPort: number }[];
  link?: LinkListener;
  secure?: SecureListeners;
  /** Shared by every node of a cluster; a fresh one for a single node. */
  clusterId?: string;
}

async function startNode(options: KafkaNode): Promise<KafkaService> {
  const { port } = options;
  const controllerPort = options.voters.find((v) => v.nodeId === options.nodeId)?.controllerPort ?? port + 1;
  const brokers = `127.0.0.1:${port}`;
  if (isAlive(readPid(pidFile(options))) && (await portOpen(port))) return { brokers, port, started: false };
  if (await portOpen(port)) {
    throw new ServiceError(
      options.instance
        ? `port ${port} is taken by something that is not the Kafka instance ${options.instance}: give it another port`
        : `port ${port} is taken by something that is not our Kafka: set FLOWLINE_KAFKA_PORT to a free port`,
    );
  }
  const libs = installKafka();
  const config = join(baseDir(options), 'server.properties');
  mkdirSync(dataDir(options), { recursive: true });
  const replication = Math.min(3, options.voters.length);
  const link = options.link;
  const secure = options.secure;
  const extra = [
    ...(link ? [{ name: 'LINK', protocol: 'PLAINTEXT', port: link.port, advertisedPort: link.advertisedPort }] : []),
    ...(secure
      ? [
          { name: 'SSL', protocol: 'SSL', port: secure.sslPort, advertisedPort: secure.sslPort },
          { name: 'SASL_SSL', protocol: 'SASL_SSL', port: secure.saslSslPort, advertisedPort: secure.saslSslPort },
          { name: 'MTLS', protocol: 'SSL', port: secure.mtlsPort, advertisedPort: secure.mtlsPort },
        ]
      : []),
  ];
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      `node.id=${options.nodeId}`,
      `controller.quorum.voters=${options.voters.map((v) => `${v.nodeId}@127.0.0.1:${v.controllerPort}`).join(',')}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${extra.map((l) => `,${l.name}://127.0.0.1:${l.port}`).join('')}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}${extra.map((l) => `,${l.name}://127.0.0.1:${l.advertisedPort}`).join('')}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${extra.map((l) => `,${l.name}:${l.protocol}`).join('')}`,
      ...(secure ? secureListenerSettings(secure) : []),
      `log.dirs=${dataDir(options)}`,
      'num.partitions=3',
      'auto.create.topics.enable=true',
      // One node: replication factor 1 everywhere, and no waiting for members that will never come.
      // A cluster: the group and transaction logs survive the loss of one node, as in production.
      `offsets.topic.replication.factor=${replication}`,
      'offsets.topic.num.partitions=6',
      `transaction.state.log.replication.factor=${replication}`,
      `transaction.state.log.min.isr=${Math.max(1, replication - 1)}`,
      `share.coordinator.state.topic.replication.factor=${replication}`,
      `share.coordinator.state.topic.min.isr=${Math.max(1, replication - 1)}`,
      `default.replication.factor=${replication}`,
      `min.insync.replicas=${Math.max(1, replication - 1)}`,
      'group.initial.rebalance.delay.ms=0',
      'log.retention.hours=24',
      '',
    ].join('\n'),
  );
  if (!existsSync(join(dataDir(options), 'meta.properties')) && readdirSync(dataDir(options)).length === 0) {
    const clusterId = options.clusterId ?? randomClusterId(libs);
    // SCRAM credentials live in the cluster metadata: written at format time, before the first start.
    const scram = secure ? ['--add-scram', `SCRAM-SHA-512=[name=${secure.scram.username},password=${secure.scram.password}]`] : [];
    run('java', java(libs, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', config, ...scram]), {
      what: 'formatting Kafka storage',
    });
  }
  log(`starting Kafka ${kafkaVersion}${options.instance ? ` (instance ${options.instance})` : ''} on ${brokers}`);
  const pid = startDaemon({
    command: 'java',
    args: [
      '-Xms128m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      `-Dkafka.logs.dir=${serverLogsDir(options)}`,
      `-Dlog4j2.configurationFile=${join(repoRoot, 'local-dev', 'kafka', 'log4j2.properties')}`,
      ...java(libs, 'kafka.Kafka', [config]),
    ],
    logFile: logFile(options),
    pidFile: pidFile(options),
  });
  const serverLog = join(serverLogsDir(options), 'server.log');
  await waitForPort(port, { what: `Kafka on ${brokers}`, pid, logFile: serverLog, timeoutMs: 60_000 });
  // A cluster's node answers metadata only once a quorum has formed: the caller waits for that.
  if (options.voters.length === 1) await waitForMetadata(brokers, pid, serverLog);
  return { brokers, port, started: true };
}

/**
 * TLS from PEM files (Kafka reads them since 2.7: no keystores to convert), a client certificate
 * required on MTLS alone, and SCRAM-SHA-512 on SASL_SSL; the plaintext listener stays open for setup.
 */
function secureListenerSettings(secure: SecureListeners): string[] {
  return [
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${secure.pki.brokerKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${secure.pki.caCert}`,
    'ssl.client.auth=none',
    'listener.name.mtls.ssl.client.auth=required',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
  ];
}

function randomClusterId(libs: string): string {
  return (
    run('java', java(libs, 'kafka.tools.StorageTool', ['random-uuid']), { what: 'Kafka storage id' })
      .trim()
      .split('\n')
      .at(-1) ?? ''
  );
}

/** A KRaft cluster of three nodes (each broker and controller), for tests of losing one. */
export interface KafkaCluster {
  brokers: string;
  nodes: { nodeId: number; port: number; instance: string }[];
}

/**
 * Starts `size` nodes as one cluster under `instance-<nodeId>`, ports `basePort + 2 × i`
 * (and the next for each controller); replication 3 and `min.insync.replicas` 2 by default,
 * as the topic contracts ask of production.
 */
export async function startKafkaCluster(options: { instance: string; basePort: number; size?: number }): Promise<KafkaCluster> {
  const size = options.size ?? 3;
  const nodes = Array.from({ length: size }, (_, i) => ({
    nodeId: i + 1,
    port: options.basePort + 2 * i,
    instance: `${options.instance}-${i + 1}`,
  }));
  const voters = nodes.map((n) => ({ nodeId: n.nodeId, controllerPort: n.port + 1 }));
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  const alive = nodes.filter((n) => isAlive(readPid(pidFile(n))));
  if (alive.length === size) {
    await waitForClusterMetadata(brokers, size);
    return { brokers, nodes };
  }
  // A cluster partly up (a test killed a node and stopped short) starts again from nothing:
  // every node formatted with one new cluster id.
  await Promise.all(alive.map((n) => stopKafka({ instance: n.instance })));
  for (const n of nodes) rmSync(baseDir(n), { recursive: true, force: true });
  const clusterId = randomClusterId(installKafka());
  await Promise.all(nodes.map((n) => startNode({ ...n, voters, clusterId })));
  await waitForClusterMetadata(brokers, size);
  return { brokers, nodes };
}

/** Starts one node of a cluster again (after a kill), with the cluster's configuration kept on disk. */
export async function restartKafkaNode(cluster: KafkaCluster, nodeId: number): Promise<void> {
  const node = cluster.nodes.find((n) => n.nodeId === nodeId);
  if (!node) throw new ServiceError(`no node ${nodeId} in the cluster ${cluster.brokers}`);
  const voters = cluster.nodes.map((n) => ({ nodeId: n.nodeId, controllerPort: n.port + 1 }));
  await startNode({ ...node, voters });
}

export async function stopKafkaCluster(cluster: Pick<KafkaCluster, 'nodes'>): Promise<void> {
  await Promise.all(cluster.nodes.map((n) => stopKafka({ instance: n.instance })));
}

async function waitForClusterMetadata(brokers: string, size: number): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: brokers.split(','), clientId: 'local-dev', logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + 120_000;
  try {
    while (Date.now() < deadline) {
      try {
        await admin.connect();
        if ((await admin.describeCluster()).brokers.length === size) return;
      } catch {
        // no quorum yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new ServiceError(`the Kafka cluster ${brokers} did not show ${size} brokers within 120 s; see the kafka-* logs`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** The port opens before the broker answers metadata; wait until it does. */
async function waitForMetadata(brokers: string, pid: number, serverLog: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ brokers: [brokers], clientId: 'local-dev', logLevel: logLevel.NOTHING }).admin();
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      if (!isAlive(pid)) throw new ServiceError(`Kafka exited during start-up; see ${serverLog}`);
      try {
        await admin.connect();
        await admin.describeCluster();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new ServiceError(`Kafka on ${brokers} did not answer metadata requests within 60 s; see ${serverLog}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Stops the broker (SIGTERM: a clean shutdown keeps its data). */
export async function stopKafka(options: KafkaInstance = {}): Promise<boolean> {
  return stopDaemon(pidFile(options), 30_000);
}

/** Kills the broker without a clean shutdown: for tests of a broker that vanishes. */
export function killKafka(options: KafkaInstance = {}): void {
  const pid = readPid(pidFile(options));
  if (isAlive(pid)) process.kill(pid as number, 'SIGKILL');
}
