import type { Logger } from 'pino';
import type { TelemetryRaw } from '../contracts/telemetry.ts';
import type { WriteAllowList } from './commands/command-guard.ts';
import { CommandHandler, type Handled } from './commands/command-handler.ts';
import type { ResolvedEdgeConfig } from './config/load-edge-config.ts';
import type { Writable } from './config/writable.ts';
import type { DeviceDriver } from './device-driver.ts';
import { ModbusDriver } from './modbus/modbus-driver.ts';
import { linkKey, ModbusLink } from './modbus/modbus-link.ts';
import { BrokerConnection } from './mqtt/broker-connection.ts';
import { MqttDriver } from './mqtt/mqtt-driver.ts';
import { OpcUaDriver } from './opcua/opcua-driver.ts';
import { EdgePki } from './opcua/pki.ts';
import { DeviceStatusBoard } from './ops/device-status.ts';
import { type EdgeHealth, healthStatus } from './ops/edge-health.ts';
import { createEdgeMetrics, type EdgeMetrics } from './ops/edge-metrics.ts';
import type { Sink } from './sinks/sink.ts';
import { SparkplugDriver } from './sparkplug/sparkplug-driver.ts';
import { SparkplugHost } from './sparkplug/sparkplug-host.ts';
import { Forwarder } from './store-and-forward/forwarder.ts';
import { SampleIntake } from './store-and-forward/sample-intake.ts';
import { type JournalEvent, openSampleJournal } from './store-and-forward/sample-journal.ts';
import { edgeVersion } from './version.ts';

export interface EdgeAdapterOptions {
  config: ResolvedEdgeConfig;
  sink: Sink;
  log: Logger;
  /** Default process metrics (CPU, memory, event loop) in /metrics; off when embedded in another process. */
  processMetrics?: boolean;
  /** Whether a command source will be attached (for /healthz). */
  commandsListening?: () => boolean | null;
  /**
   * Every batch of samples as read, before it is buffered: a site that runs its own
   * functions (edge-site/) sees its values at once, whatever the link upstream is doing.
   */
  onRead?: (samples: readonly TelemetryRaw[]) => void;
}

/** What a run of the adapter did, logged when it stops. */
export interface EdgeSummary {
  samplesRead: number;
  samplesForwarded: number;
  bufferDepth: number;
  dropped: number;
}

export interface EdgeAdapter {
  readonly config: ResolvedEdgeConfig;
  readonly metrics: EdgeMetrics;
  readonly drivers: ReadonlyMap<string, DeviceDriver>;
  health(): EdgeHealth;
  /** Decides one command (the `data` of a `scada.commands` event). */
  handleCommand(data: unknown): Promise<Handled>;
  /**
   * Sends an event upstream through the store-and-forward buffer, as the adapter sends its
   * command results and audit records: kept across a dead link and a restart, at least once.
   */
  forward(event: JournalEvent): void;
  stop(): Promise<EdgeSummary>;
}

/**
 * Assembles one adapter: a driver per device, all of them writing into the
 * store-and-forward buffer, a forwarder draining it into the sink, and the command
 * handler writing setpoints back through the drivers.
 */
export function startEdgeAdapter(options: EdgeAdapterOptions): EdgeAdapter {
  const { config, sink, log } = options;
  const started = Date.now();
  const source = `flowline/edge/${config.site}`;
  const journal = openSampleJournal({
    path: config.buffer.path,
    maxSamples: config.buffer.maxSamples,
    whenFull: config.buffer.whenFull,
    maxMinutes: config.buffer.maxMinutes,
    sync: config.buffer.sync,
    key: config.bufferKey,
  });
  if (journal.movedAside) {
    const { path, movedTo, reason } = journal.movedAside;
    log.error(
      { path, movedTo, reason },
      'the store-and-forward buffer file was unreadable (a power cut or a full disk while writing, or another file in its place): moved aside and started with an empty buffer. Samples it held were not sent; keep the moved file for diagnosis, delete it once no longer needed.',
    );
  }
  if (journal.depth > 0 || journal.pendingMinutes > 0)
    log.info(
      { backlog: journal.depth, minutes: journal.pendingMinutes, dropped: journal.dropped },
      'buffered samples from an earlier run will be sent first',
    );
  const status = new DeviceStatusBoard();
  let forwarder: Forwarder | undefined;
  const metrics = createEdgeMetrics(
    {
      bufferDepth: () => journal.depth,
      bufferCapacity: () => config.buffer.maxSamples,
      bufferBytes: () => (journal.options.path === ':memory:' ? 0 : journal.sizeBytes()),
      bufferMinutes: () => journal.pendingMinutes,
      sinkUp: () => forwarder?.snapshot().state === 'connected',
      devices: () => status.all().map((d) => ({ id: d.id, protocol: d.protocol, connected: d.state === 'connected' })),
    },
    { processMetrics: options.processMetrics ?? true },
  );
  if (journal.movedAside) metrics.bufferCorruptFiles.inc();
  let samplesRead = 0;
  // One line per change of state: when compaction starts, and when the second bound starts to cost samples.
  let compacting = false;
  let dropping = false;
  const intake = new SampleIntake({
    journal,
    log,
    onAppended: (result, samples) => {
      // The batch itself: what a bound cost may be older samples, read (and counted) before.
      samplesRead += samples.length;
      if (result.dropped > 0)
        metrics.bufferDropped.inc(
          { reason: config.buffer.whenFull === 'compact' ? 'minute-bound' : config.buffer.whenFull },
          result.dropped,
        );
      if (result.compacted > 0) metrics.bufferCompacted.inc(result.compacted);
      if (result.compacted > 0 && !compacting) {
        compacting = true;
        log.warn(
          { bound: config.buffer.maxSamples, minuteBound: config.buffer.maxMinutes },
          'the store-and-forward buffer reached buffer.maxSamples: its oldest samples are compacted into one rollup per tag and minute; nothing is lost until buffer.maxMinutes. Restore the link to Kafka',
        );
      }
      if (result.dropped > 0 && !dropping) {
        dropping = true;
        log.error(
          { dropped: journal.dropped, policy: config.buffer.whenFull },
          config.buffer.whenFull === 'compact'
            ? 'the store-and-forward buffer reached buffer.maxMinutes: the oldest compacted minutes are dropped (counted in buffer.dropped). Restore the link to Kafka, or give the buffer a larger maxMinutes and the disk for it'
            : `the store-and-forward buffer is full: samples are dropped (${config.buffer.whenFull}, counted in buffer.dropped). Restore the link to Kafka, or use whenFull: compact`,
        );
      }
      if (journal.pendingMinutes === 0 && journal.depth < config.buffer.maxSamples) compacting = dropping = false;
      forwarder?.wake();
    },
    onLost: (count) => {
      samplesRead += count;
      metrics.bufferDropped.inc({ reason: 'disk' }, count);
    },
  });
  forwarder = new Forwarder({
    journal,
    sink,
    log: log.child({ component: 'forwarder' }),
    telemetryTopic: config.topics.telemetry,
    compactedTopic: config.topics.compacted,
    source,
    maxBatch: config.publish.maxBatch,
    lingerMs: config.publish.lingerMs,
    onForwarded: (samples, events, minutes) => {
      if (samples > 0) metrics.forwarded.inc({ kind: 'samples' }, samples);
      if (minutes > 0) metrics.forwarded.inc({ kind: 'minutes' }, minutes);
      if (events > 0) metrics.forwarded.inc({ kind: 'events' }, events);
    },
    onFailure: () => metrics.sinkFailures.inc(),
  });

  const pki = new EdgePki(config.pkiDir);
  const links = new Map<string, ModbusLink>();
  const drivers = new Map<string, DeviceDriver>();
  const emit = (samples: Parameters<SampleIntake['push']>[0]) => {
    if (options.onRead) {
      // The buffer is what must not lose a sample: a failing reader beside it is logged, never in its way.
      try {
        options.onRead(samples);
      } catch (error) {
        log.error({ err: error }, 'the local reader of samples failed; they are still buffered for upstream');
      }
    }
    intake.push(samples);
  };
  // One MQTT connection per entry of `connections`, shared by its devices; a Sparkplug host on those that are one.
  const brokers = new Map<string, { connection: BrokerConnection; host: SparkplugHost | undefined }>();
  for (const c of config.connections) {
    const connection = new BrokerConnection({
      connection: c,
      clientId: c.clientId ?? `flowline-edge-${config.site}-${c.id}`,
      log: log.child({ connection: c.id, protocol: 'mqtt' }),
    });
    const host =
      c.sparkplug &&
      new SparkplugHost({
        connection,
        hostId: c.sparkplug.hostId,
        rebirthMinIntervalMs: c.sparkplug.rebirthMinIntervalMs,
        metrics,
        log: log.child({ connection: c.id, protocol: 'sparkplug' }),
      });
    brokers.set(c.id, { connection, host });
  }
  for (const device of config.devices) {
    const deviceLog = log.child({ device: device.id, protocol: device.protocol });
    status.register(device.id, device.protocol);
    if (device.protocol === 'modbus') {
      const key = linkKey(device);
      let link = links.get(key);
      if (!link) {
        link = new ModbusLink(device, log);
        links.set(key, link);
      }
      drivers.set(device.id, new ModbusDriver({ device, link, emit, status, metrics, log: deviceLog }));
    } else if (device.protocol === 'opcua') {
      drivers.set(device.id, new OpcUaDriver({ device, pki, emit, status, metrics, log: deviceLog }));
    } else {
      // EdgeConfig checks both; a configuration assembled in code without it is stopped here, by name.
      const broker = brokers.get(device.connection);
      if (!broker) throw new Error(`device ${device.id}: no connection ${device.connection} under connections`);
      if (device.protocol === 'mqtt') {
        drivers.set(device.id, new MqttDriver({ device, connection: broker.connection, emit, status, metrics, log: deviceLog }));
      } else {
        if (!broker.host)
          throw new Error(`device ${device.id}: connection ${device.connection} is not a Sparkplug host (sparkplug: { hostId })`);
        drivers.set(
          device.id,
          new SparkplugDriver({ device, host: broker.host, connection: broker.connection, emit, status, metrics, log: deviceLog }),
        );
      }
    }
  }

  const allowList: WriteAllowList = new Map(
    config.devices.map((d) => [d.id, new Map(d.tags.filter((t) => t.writable).map((t) => [t.id, t.writable as Writable]))]),
  );
  const commands = new CommandHandler({
    site: config.site,
    policy: {
      enabled: config.commands.enabled,
      defaultRoles: config.commands.roles,
      maxAgeMs: config.commands.maxAgeSeconds * 1000,
      allowList,
      devices: new Set(config.devices.map((d) => d.id)),
    },
    drivers,
    journal,
    topics: config.topics,
    source,
    metrics,
    log: log.child({ component: 'commands' }),
    onRecorded: () => forwarder?.wake(),
  });

  forwarder.start();
  for (const driver of drivers.values()) driver.start();
  // After the drivers: they register their subscriptions and listeners before the first connect.
  for (const { connection, host } of brokers.values()) {
    host?.start();
    connection.start();
  }
  log.info(
    {
      site: config.site,
      devices: drivers.size,
      buffer: config.buffer.path,
      bound: config.buffer.maxSamples,
      whenFull: config.buffer.whenFull,
      ...(config.buffer.whenFull === 'compact' ? { minuteBound: config.buffer.maxMinutes } : {}),
      sink: sink.kind,
    },
    'edge adapter started',
  );

  let stopping: Promise<EdgeSummary> | undefined;
  return {
    config,
    metrics,
    drivers,
    health() {
      const devices = status.all();
      const sinkStatus = forwarder.snapshot();
      const oldest = journal.oldestTimestamp();
      return {
        status: healthStatus(devices, sinkStatus),
        version: edgeVersion,
        site: config.site,
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
        devices: Object.fromEntries(devices.map(({ id, ...rest }) => [id, rest])),
        sink: sinkStatus,
        buffer: {
          depth: journal.depth,
          capacity: config.buffer.maxSamples,
          policy: config.buffer.whenFull,
          dropped: journal.dropped,
          compacted: journal.compacted,
          pendingMinutes: journal.pendingMinutes,
          minuteCapacity: config.buffer.maxMinutes,
          corruptFilesMovedAside: journal.corruptFiles,
          bytesOnDisk: journal.options.path === ':memory:' ? 0 : journal.sizeBytes(),
          oldestSampleAt: oldest === undefined ? null : new Date(oldest).toISOString(),
          pendingEvents: journal.pendingEvents,
        },
        commands: { enabled: config.commands.enabled, listening: options.commandsListening?.() ?? null },
      };
    },
    handleCommand: (data) => commands.handle(data),
    forward(event) {
      journal.appendEvent(event);
      forwarder.wake();
    },
    stop() {
      stopping ??= (async () => {
        // Devices first, so the last samples read are in the buffer before the forwarder's final send.
        await Promise.allSettled([...drivers.values()].map((d) => d.stop()));
        await Promise.allSettled([...links.values()].map((l) => l.close()));
        // A Sparkplug host says offline itself before leaving; the graceful disconnect then drops its will.
        await Promise.allSettled(
          [...brokers.values()].map(async ({ connection, host }) => {
            await host?.stop();
            await connection.stop();
          }),
        );
        intake.flush();
        const linkUp = forwarder.snapshot().state === 'connected';
        await forwarder.stop();
        // A producer talking to a broker that is gone can take its time to disconnect: do not wait for it.
        await Promise.race([
          sink.close().catch((error: unknown) => log.warn({ err: error }, 'closing the sink failed')),
          delay(linkUp ? 5_000 : 500),
        ]);
        await pki.dispose().catch(() => {});
        const summary: EdgeSummary = {
          samplesRead,
          samplesForwarded: forwarder.snapshot().forwarded,
          bufferDepth: journal.depth,
          dropped: journal.dropped,
        };
        journal.close();
        log.info(summary, 'edge adapter stopped');
        return summary;
      })();
      return stopping;
    },
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
