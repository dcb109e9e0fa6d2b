import { join } from 'node:path';
import type { Logger } from 'pino';
import { AssetRegistry, indexAssets } from '../config/asset-registry.ts';
import { loadConfig } from '../config/load.ts';
import type { ResolvedEdgeConfig } from '../edge-adapter/config/load-edge-config.ts';
import { type KafkaEdge, startKafkaEdge } from '../edge-adapter/kafka-edge.ts';
import { telemetryRecord } from '../edge-adapter/samples/telemetry-record.ts';
import { traceparents } from '../edge-adapter/samples/trace-ids.ts';
import type { UserEntry } from '../gateway/auth/users.ts';
import type { RateLimitSettings } from '../gateway/settings.ts';
import { type EmbeddedConsole, serveEmbeddedConsole } from '../local-dev/embedded-console.ts';
import { embeddedBinder, openEmbeddedResources } from '../local-dev/embedded-resources.ts';
import { repoRoot } from '../local-dev/services/paths.ts';
import type { RuntimeEnv } from '../runtime/config.ts';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { startMemoryHost } from '../runtime/hosts/memory/host.ts';
import { loadFunction } from '../runtime/load-function.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { startPadCommands } from './pad-commands.ts';
import { startUplink } from './uplink.ts';

/**
 * What the pad runs for itself: validate (current values), alarm (the pad's own alarms,
 * acknowledged at the pad) and notify (the channels configured for it, reachable from the
 * pad). persist and calc are the central side's: history and calculations need the
 * cluster, and the pad's samples all reach it.
 */
export const siteFunctions = ['validate', 'alarm', 'notify'] as const;

export interface SiteOptions {
  /** The edge adapter's configuration: its devices, and the central Kafka it forwards to. */
  config: ResolvedEdgeConfig;
  env: RuntimeEnv;
  rates: RateLimitSettings;
  log: Logger;
  /** Where the console listens: every interface by default, so the crew's screens reach it. */
  hostname: string;
  /** Who may sign in at the pad; the demo users when absent. */
  users?: UserEntry[];
}

export interface Site {
  readonly edge: KafkaEdge;
  readonly console: EmbeddedConsole;
  readonly bus: MemoryBus;
  stop(): Promise<void>;
}

/**
 * An edge site that runs alone: the edge adapter reads the pad's devices and forwards every
 * sample to the central Kafka through its store-and-forward buffer, exactly as
 * `edge-adapter/main.ts` does; beside it, on the memory host of this one process, the
 * site's functions get the same samples as they are read (not through the buffer, so a
 * dead WAN link does not blind them), and the operators' console serves the pad. What the
 * pad's operators decide (alarm actions, audit records) goes upstream through the same
 * buffer (uplink.ts).
 */
export async function startSite(options: SiteOptions): Promise<Site> {
  const { config, env, log } = options;
  // Before anything starts: a pad whose devices the registry does not know would only dead-letter.
  const tenantId = await tenantOf(config);
  const functionsDir = join(repoRoot, 'functions');
  const loaded = await Promise.all(siteFunctions.map((name) => loadFunction(join(functionsDir, name))));
  const resources = await openEmbeddedResources(
    loaded.map((f) => f.manifest),
    env,
    'site',
  );
  const metrics = createRuntimeMetrics();
  // The pad's functions keep up with a pad's few hundred samples a second; what they would
  // replay is not worth a small box's memory (the central side has it all, through the buffer).
  const bus = new MemoryBus({ partitions: 3, retentionPerPartition: 20_000, keepCommitted: 1_000 });
  const functions = await Promise.all(loaded.map(embeddedBinder(resources, log, metrics)));
  const host = startMemoryHost(bus, functions);
  const source = `flowline/edge/${config.site}`;
  // Stopped last first: the console, what feeds the adapter, the adapter, the functions, what they use.
  const stopped: (() => Promise<unknown>)[] = [() => resources.close(), () => host.stop()];
  const stopAll = async () => {
    for (const stop of stopped.reverse()) await stop().catch((error: unknown) => log.warn({ err: error }, 'stopping the site'));
  };
  try {
    const edge = await startKafkaEdge({
      config,
      log,
      // The pad's functions read the topic they subscribe to, whatever name the central side uses.
      onRead: (samples) => {
        const traces = traceparents(samples.length);
        bus.publish(samples.map((sample, i) => telemetryRecord(sample, 'scada.telemetry.raw', source, traces[i])));
      },
    });
    stopped.push(() => edge.stop());
    const uplink = startUplink({ bus, forward: (event) => edge.adapter.forward(event), log: log.child({ component: 'uplink' }) });
    stopped.push(() => uplink.stop());
    const padCommands = startPadCommands({
      bus,
      handle: (data) => edge.adapter.handleCommand(data),
      source,
      log: log.child({ component: 'pad-commands' }),
    });
    stopped.push(() => padCommands.stop());
    const operatorsConsole = await serveEmbeddedConsole({
      run: 'site',
      env,
      rates: options.rates,
      log,
      bus,
      metrics,
      resources,
      functions: () => functions,
      send: (publishes) => host.publish(publishes),
      hostname: options.hostname,
      ...(options.users ? { users: options.users } : {}),
      edgeSites: [{ tenantId, site: config.site, health: () => edge.adapter.health() }],
    });
    stopped.push(() => operatorsConsole.close());
    return { edge, console: operatorsConsole, bus, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The tenant whose devices the pad reads (the console shows the pad's link to that tenant's operators). */
async function tenantOf(config: ResolvedEdgeConfig): Promise<string> {
  const assets = indexAssets(await loadConfig('assets', AssetRegistry));
  for (const device of config.devices) {
    const tenant = assets.placementOf(device.id)?.tenantId;
    if (tenant) return tenant;
  }
  throw new Error(
    `none of the site's devices (${config.devices.map((d) => d.id).join(', ')}) is in the asset registry: validate would dead-letter every sample; add them to assets.yaml (FLOWLINE_CONFIG_DIR)`,
  );
}
