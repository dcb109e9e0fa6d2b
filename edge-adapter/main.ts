/**
 * The edge adapter as a process: devices in, Kafka out.
 *
 *   node edge-adapter/main.ts --config /etc/flowline/edge.yaml
 *
 * Environment: LOG_LEVEL (info), FLOWLINE_STATE_DIR (where the buffer and PKI live when
 * the file does not say), and the secrets the file names with passwordEnv.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../runtime/config.ts';
import { loadEdgeConfig, type ResolvedEdgeConfig } from './config/load-edge-config.ts';
import { startKafkaEdge } from './kafka-edge.ts';
import { runEdgeProcess } from './ops/edge-process.ts';

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

await runEdgeProcess({
  service: 'edge-adapter',
  settings,
  logLevel: (loaded) => loaded.logLevel,
  start: ({ config }, log) => startKafkaEdge({ config, log }),
});
