import { Quality } from '../../contracts/quality.ts';
import type { DataType, DecodedPayload, Metric } from './sparkplug-payload.ts';
import { nodeKey, type SparkplugTopic } from './sparkplug-topic.ts';

/** A metric as a birth certificate defined it. */
export interface MetricDefinition {
  name: string;
  alias: number | undefined;
  datatype: DataType;
}

/** A metric's new value, resolved to its name. */
export interface MetricUpdate {
  name: string;
  value: number | undefined;
  notNumeric: boolean;
  timestamp: number;
  quality: number;
}

/** What went wrong (or right) in the session with a node, counted per node and event. */
export type SparkplugEvent =
  | 'birth'
  | 'death'
  | 'seq-gap'
  | 'bdseq-missing'
  | 'bdseq-mismatch'
  | 'no-birth'
  | 'unknown-alias'
  | 'rebirth-requested'
  /** Bytes on a node's topic that are not a Sparkplug B payload (the host decodes; the tracker never sees them). */
  | 'malformed';

export type Effect =
  /** Values for a node's own metrics (deviceId undefined) or one device's; `birth` lists every metric the birth defined. */
  | { kind: 'values'; node: string; deviceId: string | undefined; metrics: MetricUpdate[]; birth: boolean }
  /**
   * Every metric of the node and its devices (deviceId undefined), or of one device, is no
   * longer to be trusted, from `at`: when the host learned it (an NDEATH's own timestamp is
   * the moment its will was set, at the node's connect, hours ago).
   */
  | { kind: 'offline'; node: string; deviceId: string | undefined; quality: number; reason: string; at: number }
  | { kind: 'rebirth'; groupId: string; edgeNodeId: string; reason: string }
  | { kind: 'event'; node: string; event: SparkplugEvent; detail: string };

interface Definitions {
  byAlias: Map<number, MetricDefinition>;
  byName: Map<string, MetricDefinition>;
}

interface NodeSession extends Definitions {
  online: boolean;
  bdSeq: number | undefined;
  seq: number;
  devices: Map<string, Definitions & { online: boolean }>;
  lastRebirthAt: number;
}

/**
 * The host's view of its edge nodes (Sparkplug B 3.0): births define metrics and their
 * aliases, data is resolved through them, deaths and broken sessions turn every metric
 * they cover bad at once, and whatever shows that the host missed a message (a seq gap,
 * data before any birth, an alias no birth defined) asks the node for a rebirth, at most
 * once per `rebirthMinIntervalMs`. Pure: it returns effects, the host carries them out.
 */
export class SparkplugTracker {
  private readonly nodes = new Map<string, NodeSession>();
  private readonly rebirthMinIntervalMs: number;

  constructor(options: { rebirthMinIntervalMs: number }) {
    this.rebirthMinIntervalMs = options.rebirthMinIntervalMs;
  }

  /** The metric as the last birth defined it (for writes). */
  definition(node: string, deviceId: string | undefined, name: string): MetricDefinition | undefined {
    if (!this.isOnline(node, deviceId)) return undefined;
    const session = this.nodes.get(node);
    const scope = deviceId === undefined ? session : session?.devices.get(deviceId);
    return scope?.byName.get(name);
  }

  isOnline(node: string, deviceId: string | undefined): boolean {
    const session = this.nodes.get(node);
    if (!session?.online) return false;
    return deviceId === undefined || session.devices.get(deviceId)?.online === true;
  }

  /** The connection to the broker is gone: every session must be born again. */
  forgetAll(): void {
    this.nodes.clear();
  }

  /** Asks for a rebirth unless one was asked of this node within the minimum interval. */
  rebirth(groupId: string, edgeNodeId: string, reason: string, now: number): Effect[] {
    const key = nodeKey(groupId, edgeNodeId);
    let session = this.nodes.get(key);
    if (!session) {
      session = emptySession();
      this.nodes.set(key, session);
    }
    if (now - session.lastRebirthAt < this.rebirthMinIntervalMs) return [];
    session.lastRebirthAt = now;
    return [
      { kind: 'rebirth', groupId, edgeNodeId, reason },
      { kind: 'event', node: key, event: 'rebirth-requested', detail: reason },
    ];
  }

  handle(topic: SparkplugTopic, payload: DecodedPayload, now: number): Effect[] {
    const key = nodeKey(topic.groupId, topic.edgeNodeId);
    const session = this.nodes.get(key);
    const ask = (reason: string) => this.rebirth(topic.groupId, topic.edgeNodeId, reason, now);
    switch (topic.type) {
      case 'NBIRTH':
        return this.nodeBirth(key, payload, session, now);
      case 'NDEATH':
        return this.nodeDeath(key, topic, payload, session, now);
      case 'NCMD':
      case 'DCMD':
        return []; // commands (ours or another host's) are not data
    }
    // Everything else needs a live session whose births we saw.
    if (!session?.online) {
      return [
        { kind: 'event', node: key, event: 'no-birth', detail: `${topic.type} before any NBIRTH` },
        ...ask(`${topic.type} before NBIRTH`),
      ];
    }
    const effects = this.checkSeq(key, session, payload.seq, topic.type, ask);
    const deviceId = topic.deviceId as string;
    if (topic.type === 'DBIRTH') {
      const device = { ...definitions(payload.metrics), online: true };
      session.devices.set(deviceId, device);
      effects.push({ kind: 'event', node: key, event: 'birth', detail: `DBIRTH ${deviceId}` });
      effects.push(values(key, deviceId, device, payload, now, true));
      return effects;
    }
    if (topic.type === 'NDATA') return [...effects, ...this.data(key, undefined, session, payload, now, ask)];
    const device = session.devices.get(deviceId);
    if (!device?.online) {
      effects.push({ kind: 'event', node: key, event: 'no-birth', detail: `${topic.type} for ${deviceId} before its DBIRTH` });
      return [...effects, ...ask(`${topic.type} for ${deviceId} before DBIRTH`)];
    }
    if (topic.type === 'DDEATH') {
      device.online = false;
      effects.push({ kind: 'event', node: key, event: 'death', detail: `DDEATH ${deviceId}` });
      effects.push({
        kind: 'offline',
        node: key,
        deviceId,
        quality: Quality.BAD_NOT_CONNECTED,
        reason: `DDEATH from ${deviceId}`,
        at: now,
      });
      return effects;
    }
    return [...effects, ...this.data(key, deviceId, device, payload, now, ask)];
  }

  private nodeBirth(key: string, payload: DecodedPayload, old: NodeSession | undefined, now: number): Effect[] {
    const bdSeq = payload.metrics.find((m) => m.name === 'bdSeq')?.value;
    const session: NodeSession = { ...emptySession(), ...definitions(payload.metrics), lastRebirthAt: old?.lastRebirthAt ?? -Infinity };
    this.nodes.set(key, session);
    if (bdSeq === undefined) {
      // Without bdSeq no NDEATH can ever be matched to this session: its values cannot be trusted to stay current.
      return [
        { kind: 'event', node: key, event: 'bdseq-missing', detail: 'NBIRTH without a bdSeq metric' },
        { kind: 'offline', node: key, deviceId: undefined, quality: Quality.BAD_CONFIG_ERROR, reason: 'NBIRTH without bdSeq', at: now },
      ];
    }
    session.online = true;
    session.bdSeq = bdSeq;
    session.seq = payload.seq ?? 0;
    return [
      { kind: 'event', node: key, event: 'birth', detail: `NBIRTH bdSeq ${bdSeq}` },
      values(key, undefined, session, payload, now, true),
    ];
  }

  private nodeDeath(key: string, topic: SparkplugTopic, payload: DecodedPayload, session: NodeSession | undefined, now: number): Effect[] {
    const bdSeq = payload.metrics.find((m) => m.name === 'bdSeq')?.value;
    if (!session?.online) return [{ kind: 'event', node: key, event: 'death', detail: 'NDEATH of a node not online' }];
    session.online = false;
    for (const device of session.devices.values()) device.online = false;
    if (bdSeq !== undefined && bdSeq === session.bdSeq) {
      return [
        { kind: 'event', node: key, event: 'death', detail: `NDEATH bdSeq ${bdSeq}` },
        { kind: 'offline', node: key, deviceId: undefined, quality: Quality.BAD_NOT_CONNECTED, reason: 'NDEATH', at: now },
      ];
    }
    // A death that names another session (or none): the node may be alive under a session we
    // never saw born, or dead under one we did. Trust neither: all bad, and a live node answers
    // the rebirth with a fresh NBIRTH within a round trip.
    const detail = `NDEATH bdSeq ${bdSeq ?? 'missing'}, the NBIRTH had ${session.bdSeq}`;
    return [
      { kind: 'event', node: key, event: 'bdseq-mismatch', detail },
      { kind: 'offline', node: key, deviceId: undefined, quality: Quality.BAD_NOT_CONNECTED, reason: detail, at: now },
      ...this.rebirth(topic.groupId, topic.edgeNodeId, 'NDEATH with a mismatched bdSeq', now),
    ];
  }

  private checkSeq(key: string, session: NodeSession, seq: number | undefined, type: string, ask: (reason: string) => Effect[]): Effect[] {
    const expected = (session.seq + 1) % 256;
    session.seq = seq ?? expected;
    if (seq === expected) return [];
    const detail = `${type} seq ${seq ?? 'missing'}, expected ${expected}`;
    return [{ kind: 'event', node: key, event: 'seq-gap', detail }, ...ask(detail)];
  }

  private data(
    key: string,
    deviceId: string | undefined,
    scope: Definitions,
    payload: DecodedPayload,
    now: number,
    ask: (reason: string) => Effect[],
  ): Effect[] {
    const unknown = payload.metrics.filter((m) => resolve(scope, m) === undefined);
    const effects: Effect[] = [values(key, deviceId, scope, payload, now, false)];
    if (unknown.length > 0) {
      const names = unknown.map((m) => (m.alias !== undefined ? `alias ${m.alias}` : (m.name ?? '?'))).join(', ');
      effects.push({ kind: 'event', node: key, event: 'unknown-alias', detail: `${names} not in the birth` }, ...ask(`unknown ${names}`));
    }
    return effects;
  }
}

function emptySession(): NodeSession {
  return { online: false, bdSeq: undefined, seq: 0, devices: new Map(), byAlias: new Map(), byName: new Map(), lastRebirthAt: -Infinity };
}

function definitions(metrics: Metric[]): Definitions {
  const byAlias = new Map<number, MetricDefinition>();
  const byName = new Map<string, MetricDefinition>();
  for (const m of metrics) {
    if (m.name === undefined || m.datatype === undefined) continue;
    const definition = { name: m.name, alias: m.alias, datatype: m.datatype };
    byName.set(m.name, definition);
    if (m.alias !== undefined) byAlias.set(m.alias, definition);
  }
  return { byAlias, byName };
}

/** Data names its metrics by alias once the birth gave one (or by name). */
function resolve(scope: Definitions, metric: Metric): MetricDefinition | undefined {
  if (metric.alias !== undefined) return scope.byAlias.get(metric.alias);
  return metric.name === undefined ? undefined : scope.byName.get(metric.name);
}

const timeOf = (payload: DecodedPayload, now: number) => payload.timestamp ?? now;

function values(
  key: string,
  deviceId: string | undefined,
  scope: Definitions,
  payload: DecodedPayload,
  now: number,
  birth: boolean,
): Effect {
  const metrics: MetricUpdate[] = [];
  for (const m of payload.metrics) {
    const definition = resolve(scope, m);
    if (!definition) continue;
    metrics.push({
      name: definition.name,
      value: m.value,
      notNumeric: m.notNumeric,
      timestamp: m.timestamp ?? timeOf(payload, now),
      quality: m.quality,
    });
  }
  return { kind: 'values', node: key, deviceId, metrics, birth };
}
