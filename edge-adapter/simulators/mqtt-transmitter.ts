import { connect, type MqttClient } from 'mqtt';

/** One reading the transmitter sends: its key in the topic, and where its value comes from. */
export interface TransmitterPoint {
  key: string;
  read(): { value: number; good: boolean };
}

export interface MqttTransmitterOptions {
  url: string;
  /** Published on <topicPrefix>/<point key>, e.g. pad7/wireless/wt-w02/PT-102. */
  topicPrefix: string;
  points: TransmitterPoint[];
  publishIntervalMs?: number;
  qos?: 0 | 1 | 2;
}

/**
 * A plain MQTT transmitter (a wireless gateway, a flow computer): one JSON message per
 * reading, { "value": 61.2, "ts": <epoch ms>, "quality": "good" | "bad" }. Its faults:
 * dropping off the network, and payloads that are not what its manual promises.
 */
export class MqttTransmitter {
  readonly options: MqttTransmitterOptions;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  published = 0;

  constructor(options: MqttTransmitterOptions) {
    this.options = options;
  }

  start(): void {
    if (this.client) return;
    const client = connect(this.options.url, { clientId: `sim-${this.options.topicPrefix.replaceAll('/', '-')}`, reconnectPeriod: 1000 });
    client.on('error', () => {}); // reconnects by itself
    this.client = client;
    this.timer = setInterval(() => this.publish(), this.options.publishIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.endAsync().catch(() => {});
  }

  /** Off the network for `forMs`. */
  disconnect(forMs: number): void {
    void this.stop().then(() => setTimeout(() => this.start(), forMs).unref());
  }

  /** One message of each kind of garbage a field device sends: not JSON, no value, a word for a number. */
  publishMalformed(): void {
    const point = this.options.points[0]?.key ?? 'x';
    const topic = `${this.options.topicPrefix}/${point}`;
    for (const payload of [
      '{"value": 12.',
      JSON.stringify({ reading: 12, ts: Date.now() }),
      JSON.stringify({ value: 'HIGH', ts: Date.now() }),
    ]) {
      this.client?.publish(topic, payload, { qos: this.options.qos ?? 1 });
    }
  }

  private publish(): void {
    const client = this.client;
    if (!client?.connected) return;
    const ts = Date.now();
    for (const p of this.options.points) {
      const { value, good } = p.read();
      client.publish(`${this.options.topicPrefix}/${p.key}`, JSON.stringify({ value, ts, quality: good ? 'good' : 'bad' }), {
        qos: this.options.qos ?? 1,
      });
      this.published += 1;
    }
  }
}
