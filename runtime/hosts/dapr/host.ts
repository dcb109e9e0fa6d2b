import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { BoundFunction } from '../../bound-function.ts';
import { toDeadLetter } from '../../dead-letter.ts';
import { deliver, type InboundRecord, type OutgoingEvent } from '../../deliver.ts';
import type { CloudEvent } from '../../envelope.ts';
import type { Outcome } from '../../outcome.ts';
import type { StateStore } from '../../resources/state-store.ts';
import { startTicker } from '../../ticker.ts';
import { invokeRoutes } from '../invoke-routes.ts';
import { type DaprStatus, daprStatusOf, routeOf, subscriptionsOf } from './subscriptions.ts';

export interface DaprConnection {
  host: string;
  httpPort: number;
  pubsubName: string;
  stateStore: string;
  /** DAPR_API_TOKEN: sent on every call to the sidecar when its API demands one. */
  apiToken?: string | undefined;
}

/** @dapr/dapr's client (publish, state), its logs routed through pino. */
export function createDaprClient(connection: DaprConnection, log: Logger): DaprClient {
  const daprLog = log.child({ component: 'dapr-sdk' });
  return new DaprClient({
    daprHost: connection.host,
    daprPort: String(connection.httpPort),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    ...(connection.apiToken ? { daprApiToken: connection.apiToken } : {}),
    logger: {
      level: LogLevel.Info,
      service: {
        error: (m: unknown) => daprLog.error(String(m)),
        warn: (m: unknown) => daprLog.warn(String(m)),
        info: (m: unknown) => daprLog.debug(String(m)),
        verbose: (m: unknown) => daprLog.trace(String(m)),
        debug: (m: unknown) => daprLog.trace(String(m)),
      },
    },
  });
}

/** State through the sidecar's state API (state.redis in our components). */
export function daprStateStore(client: DaprClient, storeName: string): StateStore {
  return {
    async get<T>(key: string) {
      const value = (await client.state.get(storeName, key)) as unknown;
      return value === '' || value === null || value === undefined ? undefined : (value as T);
    },
    async set(key, value, options) {
      const result = await client.state.save(storeName, [
        { key, value, ...(options?.ttlSeconds ? { metadata: { ttlInSeconds: String(options.ttlSeconds) } } : {}) },
      ]);
      if (result.error) throw result.error;
    },
    async delete(key) {
      const result = await client.state.delete(storeName, key);
      if (result.error) throw result.error;
    },
  };
}

interface BulkEntry {
  entryId: string;
  event: unknown;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * The function as a Dapr app: GET /dapr/subscribe lists its subscriptions, the
 * sidecar POSTs CloudEvents (or bulk batches) to their routes, and the answer is
 * SUCCESS, RETRY or DROP from `daprStatusOf`. The function's own retry policy runs here,
 * as on every host: retries with back-off, waits while a dependency is away, and the
 * dead letter written by the function itself, with its reason. The sidecar sees RETRY
 * only when the function is shutting down or could not publish, and retries that for
 * ever (components/resiliency.yaml), never dead-lettering an event the function did not give up on.
 */
export function daprApp(fn: BoundFunction, client: DaprClient, connection: DaprConnection): { app: Hono; stop(): Promise<void> } {
  const app = new Hono();
  const shutdown = new AbortController();
  const delivery = { onExhausted: 'dead-letter' as const, signal: shutdown.signal };

  // Bulk for every function: one request carries up to batch.maxSize events, a chunk as on the
  // kafka host (deliver keeps one key's events in order), instead of one request per event.
  app.get('/dapr/subscribe', (c) => c.json(subscriptionsOf(fn.manifest, connection.pubsubName, { bulk: true })));
  app.get('/dapr/config', (c) => c.json({}));

  for (const topic of fn.manifest.subscribes) {
    app.post(routeOf(topic), async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        // Not JSON: no handler can ever take it, so let the sidecar dead-letter it.
        return c.json({ status: 'DROP' satisfies DaprStatus });
      }
      if (isBulk(body)) {
        const records = body.entries.map((entry) => recordOf(topic, entry.event, entry.metadata));
        const result = await deliver(fn, records, delivery);
        const statuses = await settleWithSidecar(records, result.outcomes, result.publishes);
        return c.json({ statuses: body.entries.map((entry, i) => ({ entryId: entry.entryId, status: statuses[i] })) });
      }
      const record = recordOf(topic, body, undefined);
      const result = await deliver(fn, [record], delivery);
      const [status] = await settleWithSidecar([record], result.outcomes, result.publishes);
      return c.json({ status });
    });
  }

  /** Sends publishes and dead letters through the sidecar, then decides each answer. */
  async function settleWithSidecar(records: InboundRecord[], outcomes: Outcome[], publishes: OutgoingEvent[]): Promise<DaprStatus[]> {
    try {
      await publishThroughSidecar(publishes);
      for (const p of publishes) fn.metrics.published.inc({ function: fn.manifest.name, topic: p.topic });
    } catch (error) {
      // The effects are not durable: every success must be redelivered (handlers are idempotent).
      fn.log.warn({ err: error }, 'publishing through the sidecar failed; asking for redelivery');
      return outcomes.map((o) => (o.kind === 'success' ? 'RETRY' : daprStatusOf(o, false)));
    }
    return Promise.all(
      outcomes.map(async (outcome, index) => {
        if (outcome.kind !== 'dead-letter') return daprStatusOf(outcome, false);
        return daprStatusOf(outcome, await writeDeadLetter(records[index] as InboundRecord, outcome));
      }),
    );
  }

  /**
   * One bulk publish per topic (Dapr's bulk publish API; pubsub.kafka sends the entries in one
   * produce call, each with its partition key), in the order published: two events with the
   * same key reach Kafka in that order. Any entry refused fails the whole settlement.
   */
  async function publishThroughSidecar(publishes: OutgoingEvent[]): Promise<void> {
    const byTopic = new Map<string, OutgoingEvent[]>();
    for (const p of publishes) {
      const list = byTopic.get(p.topic);
      if (list) list.push(p);
      else byTopic.set(p.topic, [p]);
    }
    for (const [topic, events] of byTopic) {
      const result = await client.pubsub.publishBulk(
        connection.pubsubName,
        topic,
        events.map((p, i) => ({
          entryID: String(i),
          event: p.event,
          contentType: 'application/cloudevents+json',
          metadata: p.key === undefined ? {} : { partitionKey: p.key },
        })),
      );
      const [failed] = result.failedMessages;
      if (failed) {
        throw new Error(
          `the sidecar refused ${result.failedMessages.length} of ${events.length} events for ${topic}: ${failed.error.message}`,
        );
      }
    }
  }

  async function writeDeadLetter(record: InboundRecord, outcome: Extract<Outcome, { kind: 'dead-letter' }>): Promise<boolean> {
    const letter = toDeadLetter(fn.manifest.name, record, outcome);
    // pubsub.kafka turns publish metadata into Kafka headers: the reason travels as on the kafka host.
    const result = await client.pubsub.publish(connection.pubsubName, letter.topic, record.value as object, {
      contentType: 'application/cloudevents+json',
      metadata: { ...letter.headers, ...(record.key === undefined ? {} : { partitionKey: record.key }) },
    });
    if (result.error) fn.log.warn({ err: result.error }, 'could not write the dead letter; answering DROP');
    return !result.error;
  }

  app.route(
    '/',
    invokeRoutes([fn], (_fn, publishes) => publishThroughSidecar(publishes)),
  );

  app.onError((error, c) => {
    fn.log.error({ err: error }, 'dapr app route failed');
    return c.json({ status: 'RETRY' satisfies DaprStatus }, 500);
  });

  const ticker = startTicker(fn, publishThroughSidecar, shutdown.signal);
  return {
    app,
    stop: async () => {
      shutdown.abort();
      await ticker.stop();
    },
  };
}

function isBulk(body: unknown): body is { entries: BulkEntry[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { entries?: unknown }).entries);
}

function recordOf(topic: string, event: unknown, metadata: Record<string, string> | undefined): InboundRecord {
  const ce = event as Partial<CloudEvent> | null;
  const key = typeof ce?.partitionkey === 'string' ? ce.partitionkey : metadata?.__key;
  return { topic, partition: -1, offset: '', key, value: (event ?? null) as object | null };
}
