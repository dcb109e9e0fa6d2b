import { connect, type IClientOptions, type MqttClient, Store } from 'mqtt';
import type { Logger } from 'pino';
import type { MqttConnection } from '../config/mqtt-connection.ts';
import { mqttClientOptions } from './client-options.ts';
import { topicMatches } from './topic-filter.ts';

export type MessageHandler = (topic: string, payload: Buffer) => void;
export type Will = NonNullable<IClientOptions['will']>;
export type QoS = 0 | 1 | 2;

export interface BrokerConnectionOptions {
  connection: MqttConnection;
  clientId: string;
  log: Logger;
}

/**
 * One MQTT connection shared by the devices that name it. It keeps the client connected
 * (reconnecting with back-off, 1 s doubling to 30 s by default, for as long as it runs),
 * renews every subscription on each connect, and hands each message to every handler
 * whose filter matches its topic. Nothing here throws into mqtt.js: a failing handler is
 * logged and the next message is delivered.
 */
export class BrokerConnection {
  readonly id: string;
  private readonly options: BrokerConnectionOptions;
  private readonly handlers: { filter: string; qos: QoS; handle: MessageHandler }[] = [];
  private readonly stateListeners = new Set<(connected: boolean, reason: string | undefined) => void>();
  private readonly connectListeners = new Set<() => void>();
  // Kept across reconnects: a persistent session's unacknowledged QoS 1/2 messages live here.
  private readonly stores = { incomingStore: new Store(), outgoingStore: new Store() };
  private client: MqttClient | undefined;
  private running = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private lastError: string | undefined;
  private will: (() => Will) | undefined;

  constructor(options: BrokerConnectionOptions) {
    this.options = options;
    this.id = options.connection.id;
    this.retryMs = options.connection.reconnect.initialDelayMs;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Registers a handler; subscribed at once when connected, and again on every connect. */
  subscribe(filter: string, qos: QoS, handle: MessageHandler): void {
    this.handlers.push({ filter, qos, handle });
    if (this.connected) this.renewSubscriptions([filter]);
  }

  /** Called with every change: connected, or lost (with why). */
  onState(listener: (connected: boolean, reason: string | undefined) => void): void {
    this.stateListeners.add(listener);
  }

  /** The will for each connect (a Sparkplug host stamps every session's will anew); set before start. */
  useWill(will: () => Will): void {
    this.will = will;
  }

  /** Called after each connect, once the subscriptions are renewed (a Sparkplug host publishes its STATE here). */
  onConnect(listener: () => void): void {
    this.connectListeners.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const { connection, clientId, log } = this.options;
    const client = connect(connection.url, {
      ...mqttClientOptions(connection, clientId, this.stores),
      ...(this.will ? { will: this.will() } : {}),
    });
    this.client = client;
    client.on('connect', (connack) => {
      this.retryMs = connection.reconnect.initialDelayMs;
      this.lastError = undefined;
      log.info({ url: connection.url, clientId, sessionPresent: connack.sessionPresent }, 'MQTT connected');
      this.renewSubscriptions([...new Set(this.handlers.map((h) => h.filter))]);
      for (const listener of this.stateListeners) listener(true, undefined);
      for (const listener of this.connectListeners) listener();
    });
    client.on('message', (topic, payload) => this.dispatch(topic, payload));
    // Without a listener an 'error' event would end the process; the close that follows retries.
    client.on('error', (error) => {
      this.lastError = error.message;
    });
    client.on('close', () => {
      if (!this.running) return;
      const reason = this.lastError ?? 'connection closed';
      for (const listener of this.stateListeners) listener(false, reason);
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.reconnect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, connection.reconnect.maxDelayMs);
    });
    client.connect();
  }

  /** Publishes; rejects at once when not connected (nothing is queued for later). */
  publish(topic: string, payload: Buffer | Uint8Array | string, options: { qos: QoS; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new Error(`not connected to ${this.options.connection.url}`));
    const body = typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return new Promise((resolve, reject) =>
      client.publish(topic, body, { qos: options.qos, retain: options.retain ?? false }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Disconnects; `graceful` sends DISCONNECT (the broker then drops the will), otherwise the socket is just closed. */
  async stop(graceful = true): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const patience = setTimeout(resolve, 5_000);
      client.end(!graceful || !client.connected, {}, () => {
        clearTimeout(patience);
        resolve();
      });
    });
  }

  private reconnect(): void {
    const client = this.client;
    if (!this.running || !client || client.connected) return;
    if (this.will) client.options.will = this.will();
    // The same stores again: mqtt.js would otherwise start empty ones and forget the session's in-flight messages.
    client.reconnect(this.stores);
  }

  private renewSubscriptions(filters: string[]): void {
    const client = this.client;
    if (!client || filters.length === 0) return;
    const qosOf = (filter: string) => Math.max(...this.handlers.filter((h) => h.filter === filter).map((h) => h.qos)) as QoS;
    const wanted = Object.fromEntries(filters.map((f) => [f, { qos: qosOf(f) }]));
    client.subscribe(wanted, (error, granted) => {
      if (error) {
        this.options.log.error({ err: error, filters }, 'MQTT subscribe failed; retried on the next connect');
        return;
      }
      // 128 (0x80): the broker refused this filter (ACL); nothing will arrive on it.
      for (const g of granted ?? []) {
        if (g.qos === 128) this.options.log.error({ filter: g.topic }, 'the broker refused a subscription (check its ACL)');
      }
    });
  }

  private dispatch(topic: string, payload: Buffer): void {
    for (const h of this.handlers) {
      if (!topicMatches(h.filter, topic)) continue;
      try {
        h.handle(topic, payload);
      } catch (error) {
        this.options.log.error({ err: error, topic }, 'an MQTT message handler failed; the message was skipped');
      }
    }
  }
}
