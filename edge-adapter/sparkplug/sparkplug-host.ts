import type { Logger } from 'pino';
import type { BrokerConnection } from '../mqtt/broker-connection.ts';
import type { EdgeMetrics } from '../ops/edge-metrics.ts';
import { decodeSparkplug, rebirthCommand, writeCommand } from './sparkplug-payload.ts';
import { namespace, nodeKey, parseSparkplugTopic, sparkplugTopic, stateTopic } from './sparkplug-topic.ts';
import { type Effect, type MetricDefinition, type MetricUpdate, type SparkplugEvent, SparkplugTracker } from './sparkplug-tracker.ts';

/** What a driver hears about the edge node it reads. */
export interface SparkplugListener {
  values(deviceId: string | undefined, metrics: MetricUpdate[], birth: boolean): void;
  /** deviceId undefined: the whole node (and every device under it). */
  offline(deviceId: string | undefined, quality: number, reason: string, at: number): void;
  event(event: SparkplugEvent, detail: string): void;
}

export interface SparkplugHostOptions {
  connection: BrokerConnection;
  hostId: string;
  rebirthMinIntervalMs: number;
  metrics: EdgeMetrics;
  log: Logger;
}

/**
 * The adapter as a Sparkplug B 3.0 Host Application on one broker connection. Its STATE
 * (spBv1.0/STATE/<hostId>, retained JSON { online, timestamp }) says online after each
 * connect, and the will it leaves with the broker says offline with the same timestamp,
 * so a node that waits for its primary host sees it go and come back. It subscribes to
 * the edge nodes its devices name, feeds what they send through the session tracker,
 * hands values and deaths to the drivers, and sends the rebirth requests and commands.
 */
export class SparkplugHost {
  private readonly options: SparkplugHostOptions;
  private readonly tracker: SparkplugTracker;
  private readonly listeners = new Map<string, { groupId: string; edgeNodeId: string; all: Set<SparkplugListener> }>();
  private sessionStamp = 0;
  private running = false;

  constructor(options: SparkplugHostOptions) {
    this.options = options;
    this.tracker = new SparkplugTracker({ rebirthMinIntervalMs: options.rebirthMinIntervalMs });
    // Each connect is a new host session: a fresh timestamp, the same in the will and the online STATE.
    options.connection.useWill(() => {
      this.sessionStamp = Date.now();
      return { topic: stateTopic(options.hostId), payload: this.statePayload(false), qos: 1, retain: true };
    });
  }

  /** A driver's interest in one edge node (its own metrics or one of its devices'). */
  attach(groupId: string, edgeNodeId: string, listener: SparkplugListener): void {
    const key = nodeKey(groupId, edgeNodeId);
    let entry = this.listeners.get(key);
    if (!entry) {
      entry = { groupId, edgeNodeId, all: new Set() };
      this.listeners.set(key, entry);
      if (this.running) this.options.connection.subscribe(nodeFilter(groupId, edgeNodeId), 1, (t, p) => this.received(t, p));
    }
    entry.all.add(listener);
  }

  /** Subscribes to its own STATE and every attached node's topics; the connection renews them on each connect. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { connection, hostId } = this.options;
    connection.subscribe(stateTopic(hostId), 1, (_, payload) => this.ownState(payload));
    for (const { groupId, edgeNodeId } of this.listeners.values()) {
      connection.subscribe(nodeFilter(groupId, edgeNodeId), 1, (t, p) => this.received(t, p));
    }
    connection.onState((connected) => {
      if (!connected) this.tracker.forgetAll();
    });
    connection.onConnect(() => void this.online());
  }

  /** Says offline (retained) before the connection closes gracefully, as the will would have. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.options.connection
      .publish(stateTopic(this.options.hostId), this.statePayload(false), { qos: 1, retain: true })
      .catch(() => {}); // not connected: the broker publishes the will instead
  }

  definition(groupId: string, edgeNodeId: string, deviceId: string | undefined, metric: string): MetricDefinition | undefined {
    return this.tracker.definition(nodeKey(groupId, edgeNodeId), deviceId, metric);
  }

  /** NCMD (node metric) or DCMD (device metric), QoS 0 as Sparkplug specifies; resolves once handed to the broker. */
  command(groupId: string, edgeNodeId: string, deviceId: string | undefined, definition: MetricDefinition, value: number): Promise<void> {
    const topic = sparkplugTopic(groupId, deviceId === undefined ? 'NCMD' : 'DCMD', edgeNodeId, deviceId);
    return this.options.connection.publish(topic, writeCommand(definition, value, Date.now()), { qos: 0 });
  }

  private async online(): Promise<void> {
    const { connection, hostId, log } = this.options;
    try {
      await connection.publish(stateTopic(hostId), this.statePayload(true), { qos: 1, retain: true });
    } catch (error) {
      log.warn({ err: error }, 'could not publish the Sparkplug host STATE; it is sent again on the next connect');
      return;
    }
    // Births are not retained and a clean session keeps nothing: ask every node for its state now.
    const now = Date.now();
    for (const { groupId, edgeNodeId } of this.listeners.values()) {
      this.apply(this.tracker.rebirth(groupId, edgeNodeId, 'host (re)connected', now));
    }
  }

  /** Another STATE on our own topic (our old session's will, delivered late): we are online, say so again. */
  private ownState(payload: Buffer): void {
    let state: { online?: unknown; timestamp?: unknown } | undefined;
    try {
      state = JSON.parse(payload.toString('utf8'));
    } catch {
      state = undefined;
    }
    if (!this.running || !this.options.connection.connected || state?.online !== false) return;
    this.options.log.info({ timestamp: state.timestamp }, 'our STATE was set offline while connected; publishing online again');
    void this.options.connection
      .publish(stateTopic(this.options.hostId), this.statePayload(true), { qos: 1, retain: true })
      .catch(() => {});
  }

  private received(topic: string, payload: Buffer): void {
    const parsed = parseSparkplugTopic(topic);
    if (!parsed) return;
    const key = nodeKey(parsed.groupId, parsed.edgeNodeId);
    if (!this.listeners.has(key)) return;
    let decoded: ReturnType<typeof decodeSparkplug>;
    try {
      decoded = decodeSparkplug(payload);
    } catch (error) {
      const detail = `${parsed.type} on ${topic} is not a Sparkplug B payload (${(error as Error).message})`;
      this.apply([{ kind: 'event', node: key, event: 'malformed', detail }]);
      return;
    }
    this.apply(this.tracker.handle(parsed, decoded, Date.now()));
  }

  private apply(effects: Effect[]): void {
    const { metrics, connection, log } = this.options;
    for (const effect of effects) {
      const node = effect.kind === 'rebirth' ? nodeKey(effect.groupId, effect.edgeNodeId) : effect.node;
      const listeners = this.listeners.get(node)?.all ?? new Set<SparkplugListener>();
      switch (effect.kind) {
        case 'values':
          for (const l of listeners) l.values(effect.deviceId, effect.metrics, effect.birth);
          break;
        case 'offline':
          for (const l of listeners) l.offline(effect.deviceId, effect.quality, effect.reason, effect.at);
          break;
        case 'event':
          metrics.sparkplugEvents.inc({ node, event: effect.event });
          for (const l of listeners) l.event(effect.event, effect.detail);
          break;
        case 'rebirth':
          log.info({ node, reason: effect.reason }, 'asking a Sparkplug edge node to rebirth');
          connection
            .publish(sparkplugTopic(effect.groupId, 'NCMD', effect.edgeNodeId), rebirthCommand(Date.now()), { qos: 0 })
            .catch((error: unknown) => log.debug({ err: error, node }, 'rebirth request not sent (not connected)'));
          break;
      }
    }
  }

  private statePayload(online: boolean): string {
    return JSON.stringify({ online, timestamp: this.sessionStamp });
  }
}

/** Everything one edge node and its devices send: spBv1.0/<group>/+/<node>/# (the # also matches node topics). */
const nodeFilter = (groupId: string, edgeNodeId: string) => `${namespace}/${groupId}/+/${edgeNodeId}/#`;
