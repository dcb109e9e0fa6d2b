import type { BoundFunction } from './bound-function.ts';
import type { OutgoingEvent } from './deliver.ts';
import { makeContext } from './make-context.ts';

export interface Ticker {
  stop(): Promise<void>;
}

/**
 * Runs a function's `tick` every `everyMs`. Across replicas one replica runs each
 * interval: the one that takes that interval's Redis key (SET NX, no release: it expires).
 * The interval also names what the tick publishes (ids derived from it), which one
 * tick per interval keeps unambiguous. What the tick publishes is handed to `send`,
 * which the host makes durable; then the tick's onPublished callbacks run.
 */
export function startTicker(fn: BoundFunction, send: (publishes: OutgoingEvent[]) => Promise<void>, signal: AbortSignal): Ticker {
  const tick = fn.definition.options.tick;
  if (!tick) return { stop: async () => {} };
  const name = fn.manifest.name;
  const redis = fn.redis;
  if (!redis && !tick.onEveryReplica) throw new Error(tickWithoutRedis(name, tick.everyMs));
  let running: Promise<void> | undefined;

  const once = async () => {
    const slot = Math.floor(Date.now() / tick.everyMs);
    if (!tick.onEveryReplica && redis) {
      const won = await redis.set(`lock:tick:${name}:${slot}`, String(process.pid), 'PX', 2 * tick.everyMs, 'NX');
      if (won !== 'OK') return;
    }
    const queued: OutgoingEvent[] = [];
    const published: (() => Promise<void>)[] = [];
    const ctx = makeContext(fn, { kind: 'tick', slot, published }, queued, signal);
    const stopTimer = fn.metrics.handlerSeconds.startTimer({ function: name, mode: 'tick' });
    try {
      await tick.run(ctx, fn.deps);
      if (tick.onEveryReplica && queued.length > 0)
        throw new Error(`function "${name}": a tick that runs on every replica may not publish (each replica would publish it)`);
      await send(queued);
      for (const callback of published) await callback();
    } finally {
      stopTimer();
    }
  };

  const timer = setInterval(() => {
    if (running || signal.aborted) return; // a slow tick is never overlapped by the next
    running = once()
      .catch((error) => fn.log.error({ err: error }, 'tick failed; trying again next interval'))
      .finally(() => {
        running = undefined;
      });
  }, tick.everyMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export const tickWithoutRedis = (name: string, everyMs: number) =>
  `function "${name}" has a tick (every ${everyMs} ms) but no shared Redis: without its Redis lock every replica would run it. ` +
  `Add "redis" to needs in its function.yaml and set REDIS_URL to the shared Redis (redis://host:port), ` +
  `or mark the tick onEveryReplica if running it on every replica at once is harmless.`;
