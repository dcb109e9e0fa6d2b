import type { Logger } from 'pino';
import type { LiveHub } from '../live/live-hub.ts';
import type { EdgeStatusSource } from './edge-status.ts';
import type { FunctionStatus } from './function-status.ts';

/**
 * Pushes the status board into every occupied `system:{tenantId}` room while someone
 * watches it: the gateway reads lag and health on a timer so that browsers never poll.
 */
export function startStatusBroadcaster(options: {
  hub: LiveHub;
  functions: { read(): Promise<FunctionStatus[]> };
  edge: EdgeStatusSource;
  everyMs: number;
  clock: () => number;
  log: Logger;
}): { stop(): void } {
  let running = false;
  const tick = async () => {
    const rooms = options.hub.occupied('system:');
    if (rooms.length === 0 || running) return;
    running = true;
    try {
      const functions = await options.functions.read().catch((err: unknown) => {
        options.log.warn({ err }, 'function status unreadable');
        return undefined;
      });
      for (const room of rooms) {
        const tenantId = room.slice('system:'.length);
        const edge = await options.edge.read(tenantId);
        options.hub.inject(room, 'system:status', {
          serverTime: options.clock(),
          functions: functions ?? [],
          functionsError: functions ? null : 'unreadable',
          edge,
        });
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
