import type { Logger } from 'pino';
import type { TelemetryRaw } from '../contracts/telemetry.ts';
import { checkKafkaAccess } from '../runtime/hosts/kafka/access-check.ts';
import { createKafka } from '../runtime/hosts/kafka/client.ts';
import { type CommandSource, startKafkaCommandSource } from './commands/kafka-command-source.ts';
import type { ResolvedEdgeConfig } from './config/load-edge-config.ts';
import { type EdgeAdapter, startEdgeAdapter } from './edge-adapter.ts';
import { routeNodeOpcuaLogs } from './opcua/opcua-logging.ts';
import { startOpsServer } from './ops/ops-server.ts';
import { kafkaConnectionOf, kafkaSettingNamesOf } from './sinks/kafka-connection.ts';
import { kafkaSink } from './sinks/kafka-sink.ts';

export interface KafkaEdge {
  readonly adapter: EdgeAdapter;
  /** Where /healthz, /readyz and /metrics answer. */
  readonly opsPort: number;
  stop(): Promise<void>;
}

/**
 * The adapter as it runs in the field: devices in, Kafka out through the buffer, commands
 * from Kafka, its /healthz on `config.http`. `node edge-adapter/main.ts` is this alone;
 * `npm run edge:site` adds the pad's own functions and console beside it (`onRead`).
 * Throws when the buffer cannot be opened (held by another adapter, a directory it cannot write),
 * and KafkaAccessError when the broker refuses the adapter's TLS or SASL settings.
 */
export async function startKafkaEdge(options: {
  config: ResolvedEdgeConfig;
  log: Logger;
  onRead?: (samples: readonly TelemetryRaw[]) => void;
}): Promise<KafkaEdge> {
  const { config, log } = options;
  if (config.devices.some((d) => d.protocol === 'opcua')) routeNodeOpcuaLogs(log);
  // A pad's link may be down for hours, and kafkajs logs every retry of every connection at
  // error level. The adapter logs each change of the link's state itself (and /healthz holds
  // the last error), so kafkajs speaks only when LOG_LEVEL asks for debug.
  const connection = kafkaConnectionOf(config);
  // A link that is down at start is normal at a pad (the buffer holds the samples); a refused
  // certificate or password is not, and no amount of buffering cures it: stop and say which.
  await checkKafkaAccess(connection, { log, names: kafkaSettingNamesOf(config) });
  const kafka = createKafka(connection, log.child({}, { level: log.isLevelEnabled('debug') ? log.level : 'silent' }));
  let commandSource: CommandSource | undefined;
  const adapter = startEdgeAdapter({
    config,
    sink: kafkaSink({ kafka, compression: config.kafka?.compression ?? 'gzip', log: log.child({ component: 'kafka-sink' }) }),
    log,
    commandsListening: () => (commandSource ? commandSource.ready : null),
    ...(options.onRead ? { onRead: options.onRead } : {}),
  });
  if (config.commands.enabled) {
    commandSource = startKafkaCommandSource({
      kafka,
      topic: config.topics.commands,
      groupId: config.commands.consumerGroup ?? `flowline-edge-${config.site}`,
      log: log.child({ component: 'commands' }),
      handle: (data) => adapter.handleCommand(data),
    });
  }
  const ops = await startOpsServer({
    host: config.http.host,
    port: config.http.port,
    health: () => adapter.health(),
    registry: adapter.metrics.registry,
    checks: {
      sink: async () => {
        const sink = adapter.health().sink;
        if (sink.state !== 'connected') throw new Error(`${sink.state}${sink.lastError ? `: ${sink.lastError}` : ''}`);
      },
    },
  });
  log.info({ port: ops.port }, 'serving /healthz, /readyz and /metrics');
  return {
    adapter,
    opsPort: ops.port,
    async stop() {
      await commandSource?.stop();
      await adapter.stop();
      await ops.close();
    },
  };
}
