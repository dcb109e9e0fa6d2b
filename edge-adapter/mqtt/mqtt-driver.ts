import type { Logger } from 'pino';
import { Quality, qualityClass } from '../../contracts/quality.ts';
import type { TelemetryRaw } from '../../contracts/telemetry.ts';
import type { MqttDevice, MqttTag } from '../config/mqtt-device.ts';
import type { DeviceDriver, EmitSamples } from '../device-driver.ts';
import type { DeviceStatusBoard } from '../ops/device-status.ts';
import { countByQuality, type EdgeMetrics } from '../ops/edge-metrics.ts';
import { ProblemLog } from '../ops/problem-log.ts';
import type { BrokerConnection } from './broker-connection.ts';
import { type MessageMapping, mapMessage, messageMapping } from './message-mapping.ts';

export interface MqttDriverOptions {
  device: MqttDevice;
  connection: BrokerConnection;
  emit: EmitSamples;
  status: DeviceStatusBoard;
  metrics: EdgeMetrics;
  log: Logger;
}

/**
 * A device that publishes JSON on plain MQTT topics. Push-based, as an OPC UA
 * subscription: every message its subscriptions map is one sample; a message that does
 * not fit the mapping is counted and reported (metrics, /healthz, a log line per kind of
 * problem), never thrown; a lost broker connection gives every tag one bad-quality sample.
 */
export class MqttDriver implements DeviceDriver {
  readonly id: string;
  readonly protocol = 'mqtt' as const;
  private readonly options: MqttDriverOptions;
  private readonly deviceKey: string;
  private readonly tagsByKey: Map<string, MqttTag>;
  private readonly mappings: MessageMapping[];
  private readonly lastValue = new Map<string, number>();
  private readonly problems: ProblemLog;
  private running = false;
  private linked: boolean | undefined;

  constructor(options: MqttDriverOptions) {
    this.options = options;
    this.id = options.device.id;
    this.deviceKey = options.device.deviceKey ?? options.device.id;
    this.tagsByKey = new Map(options.device.tags.map((t) => [t.key ?? t.id, t]));
    this.mappings = options.device.subscriptions.map(messageMapping);
    this.problems = new ProblemLog(options.log);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { connection, device } = this.options;
    device.subscriptions.forEach((subscription, index) => {
      const mapping = this.mappings[index] as MessageMapping;
      connection.subscribe(subscription.topic, subscription.qos, (topic, payload) => this.received(mapping, topic, payload));
    });
    connection.onState((connected, reason) => this.linkChanged(connected, reason));
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  checkWrite(tagId: string): string | undefined {
    return `${this.id}/${tagId} is a plain MQTT device: it has no standard way to take a setpoint`;
  }

  async write(tagId: string): Promise<void> {
    throw new Error(this.checkWrite(tagId));
  }

  private received(mapping: MessageMapping, topic: string, payload: Buffer): void {
    if (!this.running) return;
    const { metrics, status } = this.options;
    const mapped = mapMessage(mapping, this.deviceKey, topic, payload, Date.now());
    if (mapped.kind === 'other-device') return;
    if (mapped.kind === 'malformed') {
      metrics.mqttMessages.inc({ device: this.id, outcome: 'malformed' });
      status.fault(this.id, 'malformed', mapped.reason);
      this.problems.report('malformed', { topic }, `malformed MQTT message: ${mapped.reason}`);
      return;
    }
    const tag = this.tagsByKey.get(mapped.tagKey);
    if (!tag) {
      const reason = `${topic} names tag ${mapped.tagKey}, which ${this.id} does not list`;
      metrics.mqttMessages.inc({ device: this.id, outcome: 'unknown-tag' });
      status.fault(this.id, 'unknown-tag', reason);
      this.problems.report(
        `unknown-tag:${mapped.tagKey}`,
        { topic },
        `${reason}: add it to the device's tags (id, key) or narrow the subscription`,
      );
      return;
    }
    metrics.mqttMessages.inc({ device: this.id, outcome: 'sample' });
    const converted = mapped.value === undefined ? undefined : mapped.value * tag.scale + tag.offset;
    if (converted !== undefined && qualityClass(mapped.quality) !== 'bad') this.lastValue.set(tag.id, converted);
    const value = converted ?? this.lastValue.get(tag.id) ?? 0;
    this.emitSamples([
      { timestamp: mapped.timestamp, deviceId: this.id, tagId: tag.id, value, quality: mapped.quality, sourceProtocol: 'MQTT' },
    ]);
  }

  private linkChanged(connected: boolean, reason: string | undefined): void {
    if (!this.running || this.linked === connected) return;
    const { status, metrics, log, connection } = this.options;
    const before = this.linked;
    this.linked = connected;
    status.setState(this.id, connected ? 'connected' : 'disconnected', reason);
    if (connected) {
      if (before === false) metrics.reconnects.inc({ device: this.id });
      log.info({ connection: connection.id }, 'MQTT device reachable through its broker');
      return;
    }
    log.warn({ connection: connection.id, reason }, 'lost the MQTT broker; reconnecting');
    // Every tag's outage on record once, with its last value, as for Modbus and OPC UA.
    const now = Date.now();
    this.emitSamples(
      this.options.device.tags.map((t) => ({
        timestamp: now,
        deviceId: this.id,
        tagId: t.id,
        value: this.lastValue.get(t.id) ?? 0,
        quality: Quality.BAD_NOT_CONNECTED,
        sourceProtocol: 'MQTT' as const,
      })),
    );
  }

  private emitSamples(samples: TelemetryRaw[]): void {
    const { metrics, status } = this.options;
    const bad = countByQuality(samples, this.id, metrics);
    status.sampled(this.id, samples.length - bad, bad, Date.now());
    this.options.emit(samples);
  }
}
