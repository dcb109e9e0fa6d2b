import { connect, type MqttClient } from 'mqtt';
import type { DataType } from '../sparkplug/sparkplug-payload.ts';
import { decodeSparkplug, encodeSparkplug } from '../sparkplug/sparkplug-payload.ts';
import { type MessageType, sparkplugTopic } from '../sparkplug/sparkplug-topic.ts';

/** One metric the simulated node publishes: read each cycle, and written by NCMD/DCMD when `write` is given. */
export interface SimulatedMetric {
  name: string;
  datatype: DataType;
  read(): { value: number; good: boolean };
  write?(value: number): boolean;
}

export interface SparkplugEdgeNodeOptions {
  url: string;
  groupId: string;
  edgeNodeId: string;
  devices: { deviceId: string; metrics: SimulatedMetric[] }[];
  /** The node's own metrics (NBIRTH/NDATA, written by NCMD). */
  nodeMetrics?: SimulatedMetric[];
  publishIntervalMs?: number;
}

/**
 * A Sparkplug B edge node, as a small PLC or an edge gateway runs one: a will carrying
 * NDEATH with this connection's bdSeq, NBIRTH and a DBIRTH per device (names, aliases,
 * datatypes), then NDATA/DDATA by alias with seq 0–255, a rebirth on NCMD
 * `Node Control/Rebirth`, and writes by DCMD. Its faults are the field's: a node that
 * drops off the network (the broker publishes its will), a seq that skips, a payload
 * that is not Sparkplug at all.
 */
export class SparkplugEdgeNode {
  readonly options: SparkplugEdgeNodeOptions;
  /** What the node was asked: rebirths and writes, for tests and the simulator's /faults view. */
  readonly received = { rebirths: 0, writes: [] as { deviceId: string | undefined; metric: string; value: number }[] };
  private client: MqttClient | undefined;
  private bdSeq = -1;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private skipNext = 0;
  private readonly aliases = new Map<string, number>();

  constructor(options: SparkplugEdgeNodeOptions) {
    this.options = options;
    let alias = 0;
    for (const m of options.nodeMetrics ?? []) this.aliases.set(`/${m.name}`, ++alias);
    for (const d of options.devices) for (const m of d.metrics) this.aliases.set(`${d.deviceId}/${m.name}`, ++alias);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Connects with a new bdSeq (its will says NDEATH with it) and births once connected. */
  start(): void {
    if (this.client) return;
    const { url, groupId, edgeNodeId } = this.options;
    const client = connect(url, { clientId: `sim-${groupId}-${edgeNodeId}`, clean: true, reconnectPeriod: 1000, will: this.nextWill() });
    this.client = client;
    client.on('error', () => {}); // reconnects by itself
    // Every CONNECT is a new session with the next bdSeq, in its will and in the NBIRTH that follows.
    client.on('reconnect', () => {
      client.options.will = this.nextWill();
    });
    client.on('connect', () => {
      client.subscribe([sparkplugTopic(groupId, 'NCMD', edgeNodeId), `${sparkplugTopic(groupId, 'DCMD', edgeNodeId)}/+`], { qos: 1 }, () =>
        this.birth(),
      );
    });
    client.on('message', (topic, payload) => this.command(topic, payload));
    this.timer = setInterval(() => this.publishData(), this.options.publishIntervalMs ?? 1000);
  }

  private nextWill() {
    this.bdSeq = (this.bdSeq + 1) % 256;
    const death = encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.bdSeq }] });
    return {
      topic: sparkplugTopic(this.options.groupId, 'NDEATH', this.options.edgeNodeId),
      payload: Buffer.from(death),
      qos: 1 as const,
      retain: false,
    };
  }

  /** A graceful stop: NDEATH first (as a node shutting down does), then DISCONNECT. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      const death = encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.bdSeq }] });
      await client
        .publishAsync(sparkplugTopic(this.options.groupId, 'NDEATH', this.options.edgeNodeId), Buffer.from(death), { qos: 1 })
        .catch(() => {});
    }
    await client.endAsync().catch(() => {});
  }

  /** Drops off the network without a word: the broker publishes the will (NDEATH). Back after `forMs`, with the next bdSeq. */
  die(forMs: number): void {
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    client?.end(true); // no DISCONNECT: the broker sends the will
    setTimeout(() => this.start(), forMs).unref();
  }

  /** The next data message's seq jumps by `count` (messages lost between node and broker). */
  skipSeq(count = 1): void {
    this.skipNext += count;
  }

  /** Publishes bytes that are not a Sparkplug payload on a device's DDATA topic. */
  publishMalformed(): void {
    const deviceId = this.options.devices[0]?.deviceId ?? 'device';
    this.client?.publish(
      sparkplugTopic(this.options.groupId, 'DDATA', this.options.edgeNodeId, deviceId),
      Buffer.from('{"not":"sparkplug"}'),
    );
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1 + this.skipNext) % 256;
    this.skipNext = 0;
    return this.seq;
  }

  private birth(): void {
    const { devices } = this.options;
    const now = Date.now();
    this.seq = 0;
    this.send('NBIRTH', undefined, {
      timestamp: now,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: this.bdSeq, timestamp: now },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false, timestamp: now },
        ...(this.options.nodeMetrics ?? []).map((m) => this.metric(undefined, m, now, true)),
      ],
    });
    for (const d of devices) {
      this.send('DBIRTH', d.deviceId, {
        timestamp: now,
        seq: this.nextSeq(),
        metrics: d.metrics.map((m) => this.metric(d.deviceId, m, now, true)),
      });
    }
  }

  private publishData(): void {
    if (!this.client?.connected) return;
    const now = Date.now();
    const own = this.options.nodeMetrics ?? [];
    if (own.length > 0)
      this.send('NDATA', undefined, {
        timestamp: now,
        seq: this.nextSeq(),
        metrics: own.map((m) => this.metric(undefined, m, now, false)),
      });
    for (const d of this.options.devices) {
      this.send('DDATA', d.deviceId, {
        timestamp: now,
        seq: this.nextSeq(),
        metrics: d.metrics.map((m) => this.metric(d.deviceId, m, now, false)),
      });
    }
  }

  private metric(deviceId: string | undefined, m: SimulatedMetric, now: number, birth: boolean) {
    const reading = m.read();
    const value = m.datatype === 'Boolean' ? reading.value !== 0 : reading.value;
    return {
      ...(birth ? { name: m.name } : {}),
      alias: this.aliases.get(`${deviceId ?? ''}/${m.name}`),
      type: m.datatype,
      value,
      timestamp: now,
      // Ignition's convention: an OPC quality code as the metric's Quality property.
      ...(reading.good ? {} : { properties: { Quality: { type: 'Int32' as const, value: 0 } } }),
    };
  }

  private command(topic: string, payload: Buffer): void {
    let decoded: ReturnType<typeof decodeSparkplug>;
    try {
      decoded = decodeSparkplug(payload);
    } catch {
      return; // a node ignores commands it cannot read
    }
    const deviceId = topic.split('/')[4];
    for (const m of decoded.metrics) {
      if (deviceId === undefined && m.name === 'Node Control/Rebirth' && m.value === 1) {
        this.received.rebirths += 1;
        this.birth();
        continue;
      }
      const scope = deviceId === undefined ? this.options.nodeMetrics : this.options.devices.find((d) => d.deviceId === deviceId)?.metrics;
      const target = scope?.find((x) => x.name === m.name || this.aliases.get(`${deviceId ?? ''}/${x.name}`) === m.alias);
      if (!target?.write || m.value === undefined) continue;
      this.received.writes.push({ deviceId, metric: target.name, value: m.value });
      if (target.write(m.value)) {
        const now = Date.now();
        this.send(deviceId === undefined ? 'NDATA' : 'DDATA', deviceId, {
          timestamp: now,
          seq: this.nextSeq(),
          metrics: [this.metric(deviceId, target, now, false)],
        });
      }
    }
  }

  private send(type: MessageType, deviceId: string | undefined, payload: Parameters<typeof encodeSparkplug>[0]): void {
    const topic = sparkplugTopic(this.options.groupId, type, this.options.edgeNodeId, deviceId);
    this.client?.publish(topic, Buffer.from(encodeSparkplug(payload)), { qos: 0 });
  }
}
