import type { Logger } from 'pino';
import { Quality, qualityClass } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import { toDeviceUnits } from '../config/engineering-fields.ts';
import type { SparkplugDevice, SparkplugTag } from '../config/sparkplug-device.ts';
import type { DeviceDriver, EmitSamples } from '../device-driver.ts';
import type { BrokerConnection } from '../mqtt/broker-connection.ts';
import type { DeviceStatusBoard } from '../ops/device-status.ts';
import { countByQuality, type EdgeMetrics } from '../ops/edge-metrics.ts';
import { ProblemLog } from '../ops/problem-log.ts';
import { checkMetricValue } from './metric-write.ts';
import type { SparkplugHost } from './sparkplug-host.ts';
import type { MetricUpdate, SparkplugEvent } from './sparkplug-tracker.ts';

export interface SparkplugDriverOptions {
  device: SparkplugDevice;
  host: SparkplugHost;
  connection: BrokerConnection;
  emit: EmitSamples;
  status: DeviceStatusBoard;
  metrics: EdgeMetrics;
  log: Logger;
}

/** Session events that mean data was lost or cannot be trusted: counted on the device and reported. */
const faults = new Set<SparkplugEvent>(['seq-gap', 'bdseq-missing', 'bdseq-mismatch', 'no-birth', 'unknown-alias', 'malformed']);

/**
 * One Sparkplug B device (or an edge node's own metrics) as a Flowline device: the tags
 * its configuration maps, read from births and data, all of them bad at once when the
 * node or device dies or the broker is lost; writes go out as DCMD (NCMD for node metrics)
 * in the datatype the birth declared.
 */
export class SparkplugDriver implements DeviceDriver {
  readonly id: string;
  readonly protocol = 'sparkplug' as const;
  private readonly options: SparkplugDriverOptions;
  private readonly tagsByMetric: Map<string, SparkplugTag>;
  private readonly lastValue = new Map<string, number>();
  private readonly lastTimestamp = new Map<string, number>();
  private readonly problems: ProblemLog;
  /** unknown until the first birth or loss; then whether the values are live. */
  private live: boolean | undefined;
  private running = false;

  constructor(options: SparkplugDriverOptions) {
    this.options = options;
    this.id = options.device.id;
    this.tagsByMetric = new Map(options.device.tags.map((t) => [t.metric, t]));
    this.problems = new ProblemLog(options.log);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { device, host, connection } = this.options;
    host.attach(device.groupId, device.edgeNodeId, {
      values: (deviceId, metrics, birth) => {
        if (this.running && deviceId === device.deviceId) this.values(metrics, birth);
      },
      offline: (deviceId, quality, reason, at) => {
        // A node's death takes its devices with it.
        if (this.running && (deviceId === undefined || deviceId === device.deviceId)) this.offline(quality, reason, at);
      },
      event: (event, detail) => {
        if (this.running) this.event(event, detail);
      },
    });
    connection.onState((connected, reason) => {
      if (this.running && !connected) this.offline(Quality.BAD_NOT_CONNECTED, `broker connection lost: ${reason ?? 'closed'}`, Date.now());
    });
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  checkWrite(tagId: string, value: number): string | undefined {
    const tag = this.options.device.tags.find((t) => t.id === tagId);
    if (!tag) return `device ${this.id} has no tag ${tagId}`;
    const definition = this.definition(tag);
    // Before a birth the datatype is unknown; write() then refuses, as a device that is not connected.
    return definition && checkMetricValue(toDeviceUnits(value, tag), definition.datatype);
  }

  async write(tagId: string, value: number): Promise<void> {
    const { device, host } = this.options;
    const tag = device.tags.find((t) => t.id === tagId);
    if (!tag) throw new Error(`device ${this.id} has no tag ${tagId}`);
    const definition = this.definition(tag);
    if (!definition) {
      throw new Error(`${this.source()} is not online (no birth since its last death or since the host connected): nothing is sent`);
    }
    const raw = toDeviceUnits(value, tag);
    const problem = checkMetricValue(raw, definition.datatype);
    if (problem) throw new RangeError(problem);
    await host.command(device.groupId, device.edgeNodeId, device.deviceId, definition, raw);
  }

  private definition(tag: SparkplugTag) {
    const { device, host } = this.options;
    return host.definition(device.groupId, device.edgeNodeId, device.deviceId, tag.metric);
  }

  private values(metrics: MetricUpdate[], birth: boolean): void {
    const { status, log } = this.options;
    const samples: TelemetryRaw[] = [];
    for (const m of metrics) {
      const tag = this.tagsByMetric.get(m.name);
      if (!tag) continue;
      const converted = m.value === undefined ? undefined : m.value * tag.scale + tag.offset;
      if (converted !== undefined && qualityClass(m.quality) !== 'bad') this.lastValue.set(tag.id, converted);
      samples.push(this.sample(tag, converted ?? this.lastValue.get(tag.id) ?? 0, m.quality, m.timestamp));
    }
    if (birth) {
      // A mapped metric the birth does not define will never arrive: say so on the tag, as OPC UA does for an unknown node.
      const born = new Set(metrics.map((m) => m.name));
      for (const tag of this.options.device.tags) {
        if (born.has(tag.metric)) continue;
        samples.push(this.sample(tag, this.lastValue.get(tag.id) ?? 0, Quality.BAD_CONFIG_ERROR, Date.now()));
        status.fault(this.id, 'metric-missing', `${this.source()} was born without metric ${tag.metric} (tag ${tag.id})`);
        log.error({ tag: tag.id, metric: tag.metric }, 'the birth certificate does not define a mapped metric');
      }
      if (this.live === false) this.options.metrics.reconnects.inc({ device: this.id });
      this.live = true;
      if (status.setState(this.id, 'connected')) log.info({ source: this.source() }, 'Sparkplug device born');
    }
    if (samples.length > 0) this.emitSamples(samples);
  }

  private offline(quality: number, reason: string, at: number): void {
    if (this.live === false) return; // already on record as bad
    const { status, log } = this.options;
    this.live = false;
    if (status.setState(this.id, 'disconnected', reason))
      log.warn({ source: this.source(), reason }, 'Sparkplug device offline: every tag bad');
    this.emitSamples(this.options.device.tags.map((t) => this.sample(t, this.lastValue.get(t.id) ?? 0, quality, at)));
  }

  private event(event: SparkplugEvent, detail: string): void {
    if (!faults.has(event)) return;
    this.options.status.fault(this.id, event, detail);
    this.problems.report(event, { source: this.source(), event }, `Sparkplug ${event}: ${detail}`);
  }

  private source(): string {
    const { groupId, edgeNodeId, deviceId } = this.options.device;
    return [groupId, edgeNodeId, ...(deviceId === undefined ? [] : [deviceId])].join('/');
  }

  /**
   * Per tag, time never goes backwards: a rebirth re-sends unchanged values with the time
   * they last changed, which would sort before the bad-quality sample that recorded the
   * death. Such a value is stamped with the moment it was confirmed again.
   */
  private sample(tag: SparkplugTag, value: number, quality: number, timestamp: number): TelemetryRaw {
    const last = this.lastTimestamp.get(tag.id) ?? 0;
    const at = timestamp > last ? timestamp : Math.max(Date.now(), last + 1);
    this.lastTimestamp.set(tag.id, at);
    return { timestamp: at, deviceId: this.id, tagId: tag.id, value, quality, sourceProtocol: 'MQTT' };
  }

  private emitSamples(samples: TelemetryRaw[]): void {
    const { metrics, status } = this.options;
    const bad = countByQuality(samples, this.id, metrics);
    status.sampled(this.id, samples.length - bad, bad, Date.now());
    this.options.emit(samples);
  }
}
