import { createHash, randomFillSync, randomUUID } from 'node:crypto';

/**
 * A CloudEvents 1.0 event in structured JSON mode: the envelope Dapr itself delivers,
 * and the value of every Kafka message Flowline writes. Extensions used here:
 * `traceparent`/`tracestate` (distributed tracing) and `partitionkey` (partitioning:
 * the Kafka key, the device id for telemetry).
 */
export interface CloudEvent<TData = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  datacontenttype?: string;
  dataschema?: string;
  data: TData;
  traceparent?: string;
  tracestate?: string;
  partitionkey?: string;
  [extension: string]: unknown;
}

/** What a handler receives: the envelope's facts flattened, data already validated. */
export interface FlowlineEvent<TTopic extends string = string, TData = unknown> {
  id: string;
  topic: TTopic;
  key: string | undefined;
  type: string;
  source: string;
  time: string | undefined;
  subject: string | undefined;
  traceparent: string | undefined;
  data: TData;
  /** The envelope exactly as received, for forwarding or auditing. */
  cloudEvent: CloudEvent;
}

export interface NewEvent<TData> {
  source: string;
  type: string;
  data: TData;
  id?: string;
  subject?: string;
  time?: Date | string;
  traceparent?: string;
  partitionkey?: string;
}

export function createEvent<TData>(input: NewEvent<TData>): CloudEvent<TData> {
  const event: CloudEvent<TData> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: input.type,
    time: input.time === undefined ? new Date().toISOString() : new Date(input.time).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
  if (input.subject !== undefined) event.subject = input.subject;
  if (input.partitionkey !== undefined) event.partitionkey = input.partitionkey;
  event.traceparent = input.traceparent ?? newTraceparent();
  return event;
}

/** Where a payload came from, so a non-CloudEvent payload still gets a stable id. */
export interface Provenance {
  topic: string;
  partition?: number;
  offset?: string;
  key?: string | undefined;
}

export type Decoded = { ok: true; event: CloudEvent } | { ok: false; reason: string };

/**
 * Bytes (Kafka), text or an already-parsed body (Dapr) → CloudEvent. A JSON object
 * without `specversion` is a plain payload from a producer that does not speak
 * CloudEvents (seed 000's edge gateway): it is wrapped, with an id derived from its
 * position in the log so that a redelivery keeps the same id.
 */
export function decodeEvent(payload: Uint8Array | string | object | null | undefined, from: Provenance): Decoded {
  let value: unknown = payload;
  if (payload === null || payload === undefined) return { ok: false, reason: 'empty message (tombstone or null value)' };
  if (typeof payload === 'string' || payload instanceof Uint8Array) {
    // A view over the bytes, not a copy (Buffer.from(Uint8Array) copies): this runs once per event.
    const text =
      typeof payload === 'string' ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object: expected a CloudEvent or a plain JSON object payload' };
  }
  const record = value as Record<string, unknown>;
  if (!('specversion' in record)) {
    const position = from.offset === undefined ? randomUUID() : `${from.partition ?? 0}-${from.offset}`;
    const event: CloudEvent = {
      specversion: '1.0',
      id: `${from.topic}-${position}`,
      source: 'urn:flowline:unwrapped',
      type: from.topic,
      datacontenttype: 'application/json',
      data: record,
    };
    if (from.key !== undefined) event.partitionkey = from.key;
    return { ok: true, event };
  }
  const problem = envelopeProblem(record);
  if (problem) return { ok: false, reason: `invalid CloudEvent: ${problem}` };
  return { ok: true, event: record as CloudEvent };
}

function envelopeProblem(record: Record<string, unknown>): string | undefined {
  if (record.specversion !== '1.0') return `specversion must be "1.0", got ${JSON.stringify(record.specversion)}`;
  for (const name of ['id', 'source', 'type'] as const) {
    if (typeof record[name] !== 'string' || record[name] === '') return `"${name}" must be a non-empty string`;
  }
  // Dapr may deliver `data_base64` for binary payloads; Flowline's events are JSON.
  if (!('data' in record)) return '"data" is missing (Flowline events carry JSON data)';
  return undefined;
}

export function encodeEvent(event: CloudEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}

/** The flattened view a handler sees; `data` is replaced by its validated form. */
export function toFlowlineEvent<TTopic extends string>(topic: TTopic, event: CloudEvent, key: string | undefined, data: unknown) {
  return {
    id: event.id,
    topic,
    key: key ?? event.partitionkey,
    type: event.type,
    source: event.source,
    time: event.time,
    subject: event.subject,
    traceparent: typeof event.traceparent === 'string' ? event.traceparent : undefined,
    data,
    cloudEvent: event,
  } satisfies FlowlineEvent<TTopic>;
}

// W3C Trace Context: version-traceid-parentid-flags.
const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/**
 * Random bytes as hex, from a pool filled 4 KB at a time: a span id is made for every event
 * published, and one crypto call per id cost more than the rest of the publish.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;
function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString('hex', poolAt - bytes, poolAt);
}

/** Same trace, new span: what an event published while handling `parent` carries. */
export function childTraceparent(parent: string | undefined): string {
  const match = parent === undefined ? null : traceparentPattern.exec(parent);
  if (!match) return newTraceparent();
  return `00-${match[1]}-${randomHex(8)}-${match[3]}`;
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent === undefined ? undefined : traceparentPattern.exec(traceparent)?.[1];
}

/**
 * A deterministic event id for what a handler publishes while handling one event:
 * a redelivered input republishes the same ids, so consumers downstream deduplicate
 * on event id end to end.
 */
export function derivedEventId(parts: readonly string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Shaped like a UUIDv8 (RFC 9562: custom), so tools that expect UUIDs accept it.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
