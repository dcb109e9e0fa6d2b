import {
  AttributeIds,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  type DataValue,
  DeadbandType,
  OPCUAClient,
  resolveNodeId,
  TimestampsToReturn,
} from 'node-opcua';
import type { Logger } from 'pino';
import { Quality, qualityClass } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { toDeviceUnits } from '../config/engineering-fields.ts';
import type { OpcUaDevice, OpcUaTag } from '../config/opcua-device.ts';
import type { DeviceDriver, EmitSamples } from '../device-driver.ts';
import type { DeviceStatusBoard } from '../ops/device-status.ts';
import { countByQuality, type EdgeMetrics } from '../ops/edge-metrics.ts';
import { messageSecurityMode, securityPolicy, userIdentity } from './client-settings.ts';
import { resolveNamespaceUri } from './namespace-uri.ts';
import { readDataValue } from './opcua-values.ts';
import type { EdgePki } from './pki.ts';
import { checkVariantValue } from './write-value.ts';

export interface OpcUaDriverOptions {
  device: OpcUaDevice;
  pki: EdgePki;
  emit: EmitSamples;
  status: DeviceStatusBoard;
  metrics: EdgeMetrics;
  log: Logger;
  applicationName?: string;
}

/**
 * One OPC UA server: a session with one subscription holding a monitored item per tag.
 * node-opcua keeps the connection: it retries the first connect and every reconnect with
 * back-off, reactivates the session, or creates a new one and transfers or recreates the
 * subscription when the server restarted. This driver turns what happens into samples
 * and status: every notification a sample, a lost connection one bad-quality sample per
 * tag (so the outage is on record), a refused monitored item a bad-config sample.
 */
export class OpcUaDriver implements DeviceDriver {
  readonly id: string;
  readonly protocol = 'opcua' as const;
  private readonly options: OpcUaDriverOptions;
  private readonly lastValue = new Map<string, number>();
  private readonly lastTimestamp = new Map<string, number>();
  private readonly builtInTypes = new Map<string, DataType>();
  /** Each tag's NodeId with any namespace URI turned into this server's index. */
  private readonly nodeIds = new Map<string, string>();
  private client: OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private running = false;
  private starting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;

  constructor(options: OpcUaDriverOptions) {
    this.options = options;
    this.id = options.device.id;
    this.retryMs = options.device.reconnect.initialDelayMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.starting = this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const client = this.client;
    // Disconnecting aborts a connect still retrying, so wait for the start only afterwards.
    await this.teardown(client);
    await this.starting?.catch(() => {});
  }

  checkWrite(tagId: string, value: number): string | undefined {
    const tag = this.options.device.tags.find((t) => t.id === tagId);
    if (!tag) return `device ${this.id} has no tag ${tagId}`;
    const type = this.builtInTypes.get(tagId);
    return type === undefined ? undefined : checkVariantValue(toDeviceUnits(value, tag), type);
  }

  async write(tagId: string, value: number): Promise<void> {
    const tag = this.options.device.tags.find((t) => t.id === tagId);
    if (!tag) throw new Error(`device ${this.id} has no tag ${tagId}`);
    const session = this.session;
    if (!session || this.options.status.get(this.id)?.state !== 'connected') {
      throw new Error(`not connected to ${this.options.device.endpoint}`);
    }
    const dataType = await this.builtInType(session, tag);
    const raw = toDeviceUnits(value, tag);
    const problem = checkVariantValue(raw, dataType);
    if (problem) throw new RangeError(problem);
    const status = await session.write({
      nodeId: this.nodeIdOf(tag),
      attributeId: AttributeIds.Value,
      value: { value: { dataType, value: dataType === DataType.Boolean ? raw === 1 : raw } },
    });
    if (!status.isGood()) throw new Error(`the server refused the write: ${status.name} (${status.description})`);
  }

  private async connect(): Promise<void> {
    const { device, log, status } = this.options;
    try {
      const certificateManager = await this.options.pki.certificateManager(device.acceptUnknownServerCertificate);
      const client = OPCUAClient.create({
        applicationName: this.options.applicationName ?? 'flowline-edge',
        clientCertificateManager: certificateManager,
        securityMode: messageSecurityMode(device.securityMode),
        securityPolicy: securityPolicy(device.securityPolicy),
        endpointMustExist: false,
        keepSessionAlive: true,
        requestedSessionTimeout: 60_000,
        // Negative: never give up; the adapter outlives any server outage.
        connectionStrategy: { maxRetry: -1, initialDelay: device.reconnect.initialDelayMs, maxDelay: device.reconnect.maxDelayMs },
      });
      this.client = client;
      this.watch(client);
      await client.connect(device.endpoint);
      if (!this.running) return;
      const session = await client.createSession(userIdentity(device.identity));
      this.session = session;
      session.on('session_restored', () => log.info('OPC UA session restored'));
      const namespaces = device.tags.some((t) => t.nodeId.startsWith('nsu=')) ? await session.readNamespaceArray() : [];
      for (const tag of device.tags) {
        try {
          this.nodeIds.set(tag.id, resolveNamespaceUri(tag.nodeId, namespaces));
        } catch (error) {
          this.nodeIds.delete(tag.id); // monitor() reports it as a configuration error
          log.error({ tag: tag.id, nodeId: tag.nodeId, err: error }, 'a NodeId names a namespace this server does not have');
        }
      }
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: device.publishingIntervalMs,
        requestedLifetimeCount: 100,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      });
      subscription.on('status_changed', (code) => log.warn({ status: code.name }, 'OPC UA subscription status changed'));
      await Promise.all(device.tags.map((tag) => this.monitor(subscription, tag)));
      if (status.setState(this.id, 'connected'))
        log.info({ endpoint: device.endpoint, securityMode: device.securityMode, tags: device.tags.length }, 'OPC UA device connected');
      this.retryMs = device.reconnect.initialDelayMs;
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      await this.teardown(this.client);
      if (!this.running) return;
      // Wrong password, untrusted certificate, unknown endpoint: retried slowly, reported
      // once per distinct reason (not once per retry of an hours-long outage).
      const before = status.get(this.id)?.lastError;
      if (status.setState(this.id, 'disconnected', message) || before !== message) {
        log.error({ err: error, retryInMs: this.retryMs }, 'cannot open an OPC UA session');
      }
      this.emitDisconnected();
      this.retryTimer = setTimeout(() => {
        if (this.running) this.starting = this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, device.reconnect.maxDelayMs);
    }
  }

  private watch(client: OPCUAClient): void {
    const { log, status, metrics } = this.options;
    client.on('backoff', (attempt: number, delay: number) => {
      if (status.setState(this.id, 'disconnected', `cannot reach ${this.options.device.endpoint}; retry ${attempt + 1} in ${delay} ms`)) {
        log.warn({ endpoint: this.options.device.endpoint }, 'OPC UA server unreachable; retrying');
      }
    });
    client.on('connection_lost', () => {
      if (status.setState(this.id, 'disconnected', 'connection lost')) log.warn('OPC UA connection lost; reconnecting');
      this.emitDisconnected();
    });
    client.on('connection_reestablished', () => {
      metrics.reconnects.inc({ device: this.id });
      if (status.setState(this.id, 'connected')) log.info('OPC UA connection re-established; subscription recovered by node-opcua');
    });
  }

  private async monitor(subscription: ClientSubscription, tag: OpcUaTag): Promise<void> {
    const { device, log } = this.options;
    const filter = tag.deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: tag.deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
          deadbandValue: tag.deadband.value,
        })
      : null;
    if (this.nodeIdOf(tag).startsWith('nsu=')) {
      this.emitSamples([this.sample(tag.id, this.lastValue.get(tag.id) ?? 0, Quality.BAD_CONFIG_ERROR, Date.now())]);
      return;
    }
    const item = await subscription.monitor(
      { nodeId: this.nodeIdOf(tag), attributeId: AttributeIds.Value },
      { samplingInterval: tag.samplingIntervalMs ?? device.samplingIntervalMs, queueSize: tag.queueSize, discardOldest: true, filter },
      TimestampsToReturn.Both,
    );
    if (item.statusCode && !item.statusCode.isGood()) {
      // Unknown node, filter the server cannot apply (a percent deadband needs an EURange): say so, once per connect.
      log.error({ tag: tag.id, nodeId: tag.nodeId, status: item.statusCode.name }, 'the server refused a monitored item');
      this.emitSamples([this.sample(tag.id, this.lastValue.get(tag.id) ?? 0, Quality.BAD_CONFIG_ERROR, Date.now())]);
      return;
    }
    item.on('changed', (dataValue: DataValue) => this.changed(tag, dataValue));
  }

  private changed(tag: OpcUaTag, dataValue: DataValue): void {
    const read = readDataValue(dataValue);
    if (read.value !== undefined) read.value = read.value * tag.scale + tag.offset;
    const value = read.value ?? this.lastValue.get(tag.id) ?? 0;
    if (read.value !== undefined && qualityClass(read.quality) !== 'bad') this.lastValue.set(tag.id, read.value);
    this.emitSamples([this.sample(tag.id, value, read.quality, read.timestamp)]);
  }

  private emitDisconnected(): void {
    const now = Date.now();
    this.emitSamples(
      this.options.device.tags.map((tag) => this.sample(tag.id, this.lastValue.get(tag.id) ?? 0, Quality.BAD_NOT_CONNECTED, now)),
    );
  }

  private emitSamples(samples: TelemetryRaw[]): void {
    const { metrics, status } = this.options;
    const bad = countByQuality(samples, this.id, metrics);
    status.sampled(this.id, samples.length - bad, bad, Date.now());
    this.options.emit(samples);
  }

  private async builtInType(session: ClientSession, tag: OpcUaTag): Promise<DataType> {
    let type = this.builtInTypes.get(tag.id);
    if (type === undefined) {
      type = await session.getBuiltInDataType(resolveNodeId(this.nodeIdOf(tag)));
      this.builtInTypes.set(tag.id, type);
    }
    return type;
  }

  private nodeIdOf(tag: OpcUaTag): string {
    return this.nodeIds.get(tag.id) ?? tag.nodeId;
  }

  private async teardown(client: OPCUAClient | undefined): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (client === this.client) this.client = undefined;
    await session?.close().catch(() => {});
    await client?.disconnect().catch(() => {});
  }

  /**
   * Per tag, time never goes backwards: after a reconnect the server re-sends unchanged
   * values with their old source timestamps, which would sort before the bad-quality
   * sample that recorded the outage. Such a value is stamped with the moment it was
   * confirmed again.
   */
  private sample(tagId: string, value: number, quality: number, timestamp: number): TelemetryRaw {
    const last = this.lastTimestamp.get(tagId) ?? 0;
    const at = timestamp > last ? timestamp : Math.max(Date.now(), last + 1);
    this.lastTimestamp.set(tagId, at);
    return { timestamp: at, deviceId: this.id, tagId, value, quality, sourceProtocol: 'OPCUA' };
  }
}
