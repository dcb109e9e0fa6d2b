import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { type BoundFunction, bindFunction } from './bound-function.ts';
import type { FunctionDefinition, TopicSchemas } from './define-function.ts';
import type { OutgoingEvent } from './deliver.ts';
import { type CloudEvent, createEvent, encodeEvent } from './envelope.ts';
import { type BusRecord, MemoryBus } from './hosts/memory/bus.ts';
import { startMemoryHost } from './hosts/memory/host.ts';
import { makeContext } from './make-context.ts';
import { FunctionManifest, type FunctionManifestInput } from './manifest.ts';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.ts';
import type { Db } from './resources/db.ts';
import { missingStateStore } from './resources/open.ts';
import { redisStateStore } from './resources/state-store.ts';
import { toOutbound } from './settle.ts';
import { deadLetterTopicOf } from './topics.ts';

export interface TestBedFunction {
  manifest: FunctionManifestInput | FunctionManifest;
  definition: FunctionDefinition;
}

export interface TestBed {
  readonly bus: MemoryBus;
  readonly metrics: RuntimeMetrics;
  readonly functions: BoundFunction[];
  /** Publishes `data` wrapped in a CloudEvent, as an upstream producer would. */
  publish(topic: string, data: unknown, options?: { key?: string; id?: string }): CloudEvent;
  /** Publishes raw bytes or text: for undecodable-input tests. */
  publishRaw(topic: string, value: string, key?: string): void;
  /** Waits until every function has committed everything published so far. */
  drained(timeoutMs?: number): Promise<void>;
  /** The CloudEvents on a topic, in partition then offset order. */
  events<T = unknown>(topic: string): CloudEvent<T>[];
  /** The dead letters of a source topic: original value and headers. */
  deadLetters(topic: string): BusRecord[];
  /**
   * Runs a function's `tick` once, now, publishes what it publishes and runs its
   * onPublished callbacks: time-driven logic without waiting. `fault` injects what the
   * real ticker can meet: the publish refused (`publish-fails`: nothing sent, the call
   * rejects), or the process dying right after the broker took the events
   * (`crash-after-publish`: sent, callbacks never run).
   */
  tick(functionName: string, options?: { fault?: 'publish-fails' | 'crash-after-publish' }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs functions on the memory host for tests: the real delivery core, retries and
 * dead-lettering, with the bus standing in for the broker.
 */
export async function createTestBed(options: {
  functions: TestBedFunction[];
  redis?: Redis;
  db?: Db;
  publishSchemas?: TopicSchemas;
  partitions?: number;
}): Promise<TestBed> {
  const bus = new MemoryBus({ partitions: options.partitions ?? 3 });
  const metrics = createRuntimeMetrics({ processMetrics: false });
  const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const functions = await Promise.all(
    options.functions.map((f) => {
      const manifest = FunctionManifest.parse({ startFrom: 'earliest', ...f.manifest });
      return bindFunction({
        manifest,
        definition: f.definition,
        log,
        metrics,
        state: options.redis ? redisStateStore(options.redis, manifest.name) : missingStateStore(manifest.name),
        ...(options.redis ? { redis: options.redis } : {}),
        ...(options.db ? { db: options.db } : {}),
        ...(options.publishSchemas ? { publishSchemas: options.publishSchemas } : {}),
      });
    }),
  );
  const host = startMemoryHost(bus, functions);
  const decode = (r: BusRecord) => JSON.parse(typeof r.value === 'string' ? r.value : Buffer.from(r.value).toString('utf8')) as CloudEvent;
  return {
    bus,
    metrics,
    functions,
    publish(topic, data, opts = {}) {
      const event = createEvent({
        source: 'urn:flowline:test',
        type: topic,
        data,
        ...(opts.id ? { id: opts.id } : {}),
        ...(opts.key ? { partitionkey: opts.key } : {}),
      });
      bus.publish([{ topic, key: opts.key, value: encodeEvent(event).toString('utf8') }]);
      return event;
    },
    publishRaw(topic, value, key) {
      bus.publish([{ topic, key, value }]);
    },
    drained: (timeoutMs) => bus.drained(timeoutMs),
    events: <T>(topic: string) => bus.read(topic).map((r) => decode(r) as CloudEvent<T>),
    deadLetters: (topic) => bus.read(deadLetterTopicOf(topic)),
    async tick(functionName, { fault } = {}) {
      const fn = functions.find((f) => f.manifest.name === functionName);
      const tick = fn?.definition.options.tick;
      if (!fn || !tick) throw new Error(`no function "${functionName}" with a tick in this test bed`);
      const queued: OutgoingEvent[] = [];
      const published: (() => Promise<void>)[] = [];
      const slot = Math.floor(Date.now() / tick.everyMs);
      await tick.run(makeContext(fn, { kind: 'tick', slot, published }, queued, new AbortController().signal), fn.deps);
      if (fault === 'publish-fails') throw new Error(`injected fault: the broker refused the tick's ${queued.length} event(s)`);
      bus.publish(queued.map(toOutbound));
      if (fault === 'crash-after-publish') return;
      for (const callback of published) await callback();
    },
    stop: () => host.stop(),
  };
}
