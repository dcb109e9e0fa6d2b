import type { BoundFunction } from './bound-function.ts';
import type { OutgoingEvent } from './deliver.ts';
import { makeContext } from './make-context.ts';

export interface Ticker {
  stop(): Promise<void>;
}

/**
 * Runs a function's `tick` every `everyMs`. Across replicas a Redis key taken with
 * SET NX PX lets one replica tick per interval (no release: the key expires with the
 * interval). What the tick publishes is handed to `send`, which the host makes durable.
 */
export function startTicker(fn: BoundFunction, send: (publishes: OutgoingEvent[]) => Promise<void>, signal: AbortSignal): Ticker {
  const tick = fn.definition.options.tick;
  if (!tick) return { stop: async () => {} };
  const name = fn.manifest.name;
  let running: Promise<void> | undefined;

  const once = async () => {
    if (fn.redis) {
      const won = await fn.redis.set(`lock:tick:${name}`, String(process.pid), 'PX', Math.max(10, tick.everyMs - 10), 'NX');
      if (won !== 'OK') return;
    }
    const queued: OutgoingEvent[] = [];
    const ctx = makeContext(fn, undefined, 0, queued, signal);
    const stopTimer = fn.metrics.handlerSeconds.startTimer({ function: name, mode: 'tick' });
    try {
      await tick.run(ctx, fn.deps);
      await send(queued);
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
