import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * Starts a single-node KRaft broker on loopback, or reuses the one already running.
 * `instance` names a broker of its own (with `port`, and `port + 1` for its controller).
 */
export async function startKafka(options: { port?: number } & KafkaInstance = {}): Promise<KafkaService> {
  const port = options.port ?? envPort('FLOWLINE_KAFKA_PORT', 19092);
  const controllerPort = port + 1;
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
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${dataDir(options)}`,
      'num.partitions=3',
      'auto.create.topics.enable=true',
      // One node: replication factor 1 everywhere, and no waiting for members that will never come.
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=6',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'log.retention.hours=24',
      '',
    ].join('\n'),
  );
  if (!existsSync(join(dataDir(options), 'meta.properties')) && readdirSync(dataDir(options)).length === 0) {
    const clusterId =
      run('java', java(libs, 'kafka.tools.StorageTool', ['random-uuid']), { what: 'Kafka storage id' })
        .trim()
        .split('\n')
        .at(-1) ?? '';
    run('java', java(libs, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', config]), { what: 'formatting Kafka storage' });
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
  await waitForMetadata(brokers, pid, serverLog);
  return { brokers, port, started: true };
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
