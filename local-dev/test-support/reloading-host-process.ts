/**
 * A process running the reloading host over a functions folder, driven over IPC by
 * local-dev/function-reloader.test.ts: the reload hooks work only in a real Node process
 * (vitest runs test code through its own module runner), so the test runs the host here.
 *
 *   node local-dev/test-support/reloading-host-process.ts <functionsDir> <input topic> <observed topic,...>
 *
 * It feeds numbered events `{ n }` (key k<n % 4>) to the input topic on request, forwards
 * every notice of the reloader and the data of every event on the observed topics, and
 * answers how many it fed once the bus is drained.
 */
import { pino } from 'pino';
import { createEvent, encodeEvent } from '../../runtime/envelope.ts';
import { MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import { createRuntimeMetrics } from '../../runtime/metrics.ts';
import { bindTo } from '../../runtime/process-bindings.ts';
import type { Resources } from '../../runtime/resources/open.ts';
import type { ReloadNotice } from '../reload-notice.ts';
import { startReloadingHost } from '../reloading-host.ts';

export type ToHost = { type: 'feed'; everyMs: number } | { type: 'pause-and-drain' } | { type: 'stop' };
export type FromHost =
  | { type: 'ready' }
  | { type: 'notice'; notice: ReloadNotice }
  | { type: 'event'; topic: string; data: unknown }
  | { type: 'drained'; fed: number };

const [functionsDir, input, observed] = process.argv.slice(2);
if (!functionsDir || !input || !observed || !process.send) {
  console.error(
    'usage: node local-dev/test-support/reloading-host-process.ts <functionsDir> <input topic> <observed topics> (forked, with IPC)',
  );
  process.exit(2);
}
const send = (message: FromHost) => process.send?.(message);
const bus = new MemoryBus({ partitions: 3 });
const log = pino({ level: 'silent' });
const metrics = createRuntimeMetrics({ processMetrics: false });
const resources: Resources = { redis: undefined, db: undefined, checks: {}, close: async () => {} };
const host = await startReloadingHost({
  functionsDir,
  bus,
  bind: (loaded) => bindTo(loaded, resources, log, metrics),
  notify: (notice) => send({ type: 'notice', notice }),
});
const observer = bus.subscribe(
  'test-observer',
  observed.split(','),
  async (records) => {
    for (const r of records) {
      const event = JSON.parse(typeof r.value === 'string' ? r.value : Buffer.from(r.value).toString('utf8')) as { data: unknown };
      send({ type: 'event', topic: r.topic, data: event.data });
    }
    return records.length;
  },
  { maxChunk: 500, fromBeginning: true },
);

let fed = 0;
let feeder: NodeJS.Timeout | undefined;
process.on('message', async (message: ToHost) => {
  if (message.type === 'feed') {
    clearInterval(feeder);
    feeder = setInterval(() => {
      const n = fed++;
      const event = createEvent({ source: 'urn:flowline:test', type: input, data: { n }, partitionkey: `k${n % 4}` });
      bus.publish([{ topic: input, key: `k${n % 4}`, value: encodeEvent(event).toString('utf8') }]);
    }, message.everyMs);
  } else if (message.type === 'pause-and-drain') {
    clearInterval(feeder);
    await bus.drained(30_000);
    send({ type: 'drained', fed });
  } else if (message.type === 'stop') {
    clearInterval(feeder);
    await observer.stop();
    await host.stop();
    process.exit(0);
  }
});
send({ type: 'ready' });
