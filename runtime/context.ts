import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FunctionMetrics } from './metrics.ts';
import type { Db } from './resources/db.ts';
import type { StateStore } from './resources/state-store.ts';

export interface PublishOptions {
  /** The Kafka key: events with the same key stay in order. Telemetry uses the device id. */
  key?: string;
  /** CloudEvent `type`; defaults to the topic name. */
  type?: string;
  subject?: string;
  /**
   * Event id. By default derived from what is being handled (the event, the batch's events,
   * the tick's interval) and a count of publishes, so a redelivery republishes the same ids.
   */
  id?: string;
  /**
   * What this event announces, when that is not what is being handled (a tick
   * republishing an outbox entry, a batch handler publishing for one of its events):
   * the id is derived from it instead, so every republish of that cause keeps its ids.
   */
  cause?: string;
}

/** What a handler may touch. Everything is opened by the host; a handler never connects. */
export interface Context {
  readonly functionName: string;
  /** pino child logger carrying function, event id and trace id. */
  readonly log: Logger;
  /**
   * Queue an event for `topic` (one of the manifest's `publishes`). It is sent, and
   * acknowledged by the broker, before the event being handled is committed; if the
   * handler throws, what it queued is discarded and republished on the retry.
   */
  publish(topic: string, data: unknown, options?: PublishOptions): void;
  /** Key/value state: Redis on the memory and kafka hosts, the sidecar's state store on dapr. */
  readonly state: StateStore;
  /** Redis itself, for the structures of seed 001 (hashes, sorted sets, pub/sub). Needs `redis` in the manifest. */
  readonly redis: Redis;
  /** PostgreSQL. Needs `postgres` in the manifest. */
  readonly db: Db;
  readonly metrics: FunctionMetrics;
  /** Aborted when the process is shutting down: long waits should give up. */
  readonly signal: AbortSignal;
}

/** A tick's context: a tick is not redelivered, so it learns when what it published was sent (to clear an outbox). */
export interface TickContext extends Context {
  /**
   * Runs `callback` once everything this tick published has been acknowledged by the
   * broker; not at all if the tick throws or the publish fails (then the tick's next run
   * must publish it again).
   */
  onPublished(callback: () => Promise<void>): void;
}

/** What `setup` may touch: everything but publish (nothing is being handled yet). */
export type SetupContext = Omit<Context, 'publish'>;
