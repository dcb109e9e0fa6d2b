import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Handled } from './commands/command-handler.ts';
import { loadEdgeConfig, type ResolvedEdgeConfig } from './config/load-edge-config.ts';
import { type EdgeAdapter, startEdgeAdapter } from './edge-adapter.ts';
import { routeNodeOpcuaLogs } from './opcua/opcua-logging.ts';
import type { EdgeHealth } from './ops/edge-health.ts';
import { startWellPadSimulators, type WellPadSimulators } from './simulators/well-pad-simulators.ts';
import { callbackSink, type Publish } from './sinks/callback-sink.ts';

export interface EmbeddedEdgeOptions {
  /** The in-process bus: receives every record the adapter would send to Kafka. */
  publish: Publish;
  log: Logger;
  /** Where the OPC UA PKIs live; default $FLOWLINE_STATE_DIR, else the project's .flowline. */
  stateDir?: string;
  /** The adapter configuration; default edge-adapter/examples/well-pad.yaml (its endpoints are pointed at the simulators). */
  configFile?: string;
  /** Random simulator faults, on average one per this many milliseconds (off by default). */
  chaosMeanIntervalMs?: number;
}

export interface EmbeddedEdge {
  readonly simulators: WellPadSimulators;
  readonly config: ResolvedEdgeConfig;
  health(): EdgeHealth;
  /** Hand it the `data` of each event on the commands topic (config.topics.commands). */
  handleCommand(data: unknown): Promise<Handled>;
  stop(): Promise<void>;
}

/**
 * The edge side of `npm start`: the well-pad simulators on free loopback ports (Modbus,
 * OPC UA, and an in-process MQTT broker with the Sparkplug B gateway and the flow computer)
 * and an adapter reading them, its output going to `publish` instead of Kafka. The buffer is
 * in memory, as the bus it feeds: nothing downstream of it outlives the process either.
 */
export async function startEmbeddedEdge(options: EmbeddedEdgeOptions): Promise<EmbeddedEdge> {
  const stateDir = options.stateDir ?? (process.env.FLOWLINE_STATE_DIR || resolve(import.meta.dirname, '..', '.flowline'));
  const log = options.log.child({ component: 'edge' });
  routeNodeOpcuaLogs(log);
  const simulators = await startWellPadSimulators({
    modbusPort: 0,
    opcuaPort: 0,
    mqttPort: 0,
    pkiDir: join(stateDir, 'simulators', 'opcua-pki'),
    ...(options.chaosMeanIntervalMs ? { chaosMeanIntervalMs: options.chaosMeanIntervalMs } : {}),
  });
  let adapter: EdgeAdapter;
  let config: ResolvedEdgeConfig;
  try {
    config = pointAtSimulators(
      loadEdgeConfig(options.configFile ?? join(import.meta.dirname, 'examples', 'well-pad.yaml'), {
        ...process.env,
        FLOWLINE_STATE_DIR: stateDir,
      }),
      simulators,
    );
    adapter = startEdgeAdapter({ config, sink: callbackSink(options.publish), log, processMetrics: false });
  } catch (error) {
    await simulators.stop();
    throw error;
  }
  log.info(
    { modbus: simulators.modbus.port, opcua: simulators.opcua.endpoint, mqtt: simulators.mqtt?.broker.url },
    'embedded well-pad simulators serving the edge adapter',
  );
  return {
    simulators,
    config,
    health: () => adapter.health(),
    handleCommand: (data) => adapter.handleCommand(data),
    async stop() {
      await adapter.stop();
      await simulators.stop();
    },
  };
}

/** The example config names the simulators' default ports; point it at the ports they actually took. */
function pointAtSimulators(config: ResolvedEdgeConfig, simulators: WellPadSimulators): ResolvedEdgeConfig {
  const broker = simulators.mqtt?.broker.url;
  return {
    ...config,
    buffer: { ...config.buffer, path: ':memory:' },
    connections: config.connections.map((c) => (broker ? { ...c, url: broker } : c)),
    devices: config.devices.map((device) => {
      if (device.protocol === 'modbus')
        return { ...device, transport: 'tcp' as const, host: simulators.modbus.host, port: simulators.modbus.port };
      if (device.protocol === 'opcua') return { ...device, endpoint: simulators.opcua.endpoint };
      return device;
    }),
  };
}
