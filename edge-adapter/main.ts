/**
 * The edge adapter as a process: devices in, Kafka out.
 *
 *   node edge-adapter/main.ts --config /etc/flowline/edge.yaml
 *
 * Environment: LOG_LEVEL (info), FLOWLINE_STATE_DIR (where the buffer and PKI live when
 * the file does not say), and the secrets the file names with passwordEnv.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../runtime/config.ts';
import { isKafkaAccessError } from '../runtime/hosts/kafka/kafka-access-error.ts';
import { ConfigFileError } from '../runtime/yaml-config.ts';
import { loadEdgeConfig, type ResolvedEdgeConfig } from './config/load-edge-config.ts';
import { type KafkaEdge, startKafkaEdge } from './kafka-edge.ts';
import { edgeVersion } from './version.ts';

const usage = 'usage: node edge-adapter/main.ts --config <file.yaml>   (see edge-adapter/examples/well-pad.yaml)';

const Env = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function settings(): { config: ResolvedEdgeConfig; logLevel: string } {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!values.config) throw new ConfigError(`--config is required\n${usage}`);
  const env = parseEnv(Env);
  const config = loadEdgeConfig(values.config);
  if (!config.kafka) {
    throw new ConfigError(
      `${values.config}: kafka: missing; this process publishes to Kafka, so name the brokers (kafka: { brokers: [host:9092] })`,
    );
  }
  return { config, logLevel: env.LOG_LEVEL };
}

let loaded: ReturnType<typeof settings>;
try {
  loaded = settings();
} catch (error) {
  if (error instanceof ConfigError || error instanceof ConfigFileError) {
    console.error(`edge-adapter: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const { config } = loaded;
const log = pino({ level: loaded.logLevel, base: { service: 'edge-adapter', site: config.site, version: edgeVersion } });
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

let edge: KafkaEdge;
try {
  edge = await startKafkaEdge({ config, log });
} catch (error) {
  // The buffer held by another adapter, a state directory it cannot write, or a broker that
  // refuses our certificate or password: say which, and stop.
  log.fatal({ err: error }, (error as Error).message);
  process.exit(isKafkaAccessError(error) ? 2 : 1);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    log.warn({ signal }, 'second signal: exiting now; the buffer keeps what was not sent');
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'stopping');
  // Whatever hangs, the process ends: what was not sent is in the buffer for the next start.
  setTimeout(() => process.exit(1), 30_000).unref();
  await edge.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
