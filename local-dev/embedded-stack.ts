import type { Logger } from 'pino';
import { AssetRegistry } from '../config/asset-registry.ts';
import { loadConfig } from '../config/load.ts';
import { startEmbeddedEdge } from '../edge-adapter/embedded.ts';
import type { BoundFunction } from '../runtime/bound-function.ts';
import type { OutgoingEvent } from '../runtime/deliver.ts';
import { decodeEvent } from '../runtime/envelope.ts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import type { RuntimeMetrics } from '../runtime/metrics.ts';
import type { Resources } from '../runtime/resources/open.ts';
import { startConsoleReport } from './console-report.ts';
import { startDemoScenario } from './demo-scenario.ts';
import { serveEmbeddedConsole } from './embedded-console.ts';
import type { EmbeddedEnv } from './embedded-env.ts';
import type { EmbeddedRun } from './embedded-resources.ts';
import { startSimulatedWells } from './simulated-wells.ts';

export interface EmbeddedStackOptions extends EmbeddedEnv {
  run: EmbeddedRun;
  log: Logger;
  bus: MemoryBus;
  metrics: RuntimeMetrics;
  resources: Resources;
  /** The functions running on the bus now (the gateway invokes them, the banner names them). */
  functions: () => readonly BoundFunction[];
  /** How an invocation's publishes reach the bus. */
  send: (publishes: OutgoingEvent[]) => Promise<void>;
  /** The banner's first line: what this process is. */
  title: string;
}

/**
 * Everything around the functions that `npm start` and `npm run dev` share: telemetry from
 * the edge adapter over its simulators (or the built-in simulated wells), the demo scenario,
 * the gateway and operators' console with /healthz and /metrics on one port, and the
 * console report. The functions themselves are the caller's: a fixed set, or reloading.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<{ stop(): Promise<void> }> {
  const { bus, log, resources } = options;
  const names = () => options.functions().map((f) => f.manifest.name);
  // Telemetry from the edge adapter reading its Modbus and OPC UA simulators on loopback, as it
  // would read a real pad; the built-in simulator only if the adapter cannot start here.
  const edge = await startEdge(bus, log);
  const source = startSimulatedWells({ publish: (messages) => bus.publish(messages), intervalMs: 1_000, telemetry: edge === undefined });
  const time = () => new Date().toISOString().slice(11, 19);
  const demo = edge
    ? startDemoScenario({
        publish: (messages) => bus.publish(messages),
        siteId: edge.edge.config.site,
        log: (line) => console.log(`[${time()}] ${line}`),
      })
    : undefined;

  const console_ = await serveEmbeddedConsole({
    ...options,
    hostname: '127.0.0.1',
    ...(edge ? { edgeSites: [{ tenantId: 'acme-energy', site: edge.edge.config.site, health: () => edge.edge.health() }] } : {}),
  });
  const url = `http://127.0.0.1:${console_.port}`;
  console.log(
    [
      '',
      options.title,
      `  functions:  ${names().join(', ') || '(none yet: add a folder under functions/)'}`,
      `  telemetry:  ${edge ? `edge adapter ← simulators (Modbus 127.0.0.1:${edge.edge.simulators.modbus.port}, ${edge.edge.simulators.opcua.endpoint}, MQTT/Sparkplug B ${edge.edge.simulators.mqtt?.broker.url}); ` : ''}${source.describe()}`,
      `  console:    ${url}/   sign in as ${console_.demoUsers.map((u) => `${u.username}/${u.password}`).join(', ')}`,
      `  API:        ${url}/v1/openapi.json   live: ws://127.0.0.1:${console_.port}/v1/live`,
      `  health:     ${url}/healthz   metrics: ${url}/metrics`,
      '  Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const report = startConsoleReport({ bus, redis: resources.redis, db: resources.db, tenants: await tenantsOf() });
  return {
    async stop() {
      demo?.stop();
      await report.stop();
      await edge?.stop();
      await console_.close();
      source.stop();
    },
  };
}

async function tenantsOf(): Promise<string[]> {
  try {
    return (await loadConfig('assets', AssetRegistry)).tenants.map((t) => t.id);
  } catch {
    return [];
  }
}

async function startEdge(bus: MemoryBus, log: Logger) {
  try {
    const edge = await startEmbeddedEdge({ publish: async (records) => bus.publish(records), log });
    // Commands for the pad, as the adapter consumes them from scada.commands in the field.
    const commands = bus.subscribe(
      'edge-adapter',
      [edge.config.topics.commands],
      async (records) => {
        for (const r of records) {
          const decoded = decodeEvent(r.value, { topic: r.topic, partition: r.partition, offset: String(r.offset), key: r.key });
          if (decoded.ok) await edge.handleCommand(decoded.event.data);
        }
        return records.length;
      },
      { maxChunk: 100, fromBeginning: false },
    );
    return {
      edge,
      async stop() {
        await commands.stop();
        await edge.stop();
      },
    };
  } catch (error) {
    console.error(`the edge adapter's simulators could not start here (${(error as Error).message}); using the built-in simulated wells`);
    return undefined;
  }
}

/** On SIGINT or SIGTERM, once: each step in order (the stack, the host, the resources), then exit 0. */
export function stopOnSignals(steps: readonly (() => Promise<void>)[]): void {
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    for (const step of steps) await step();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
