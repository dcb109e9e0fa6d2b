import type { Redis } from 'ioredis';
import { type Alarm, redisKeys } from '#contracts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import type { Db } from '../runtime/resources/db.ts';

/**
 * What `npm start` prints while it runs: each alarm transition as it happens, and
 * every few seconds a line that follows the data down the pipeline (raw → validated
 * → stored → alarms → calculations → dead letters).
 */
export function startConsoleReport(options: {
  bus: MemoryBus;
  redis?: Redis | undefined;
  db?: Db | undefined;
  tenants: string[];
  everyMs?: number;
}): { stop(): Promise<void> } {
  const { bus } = options;
  const time = () => new Date().toISOString().slice(11, 19);
  const subscription = bus.subscribe(
    'npm-start-console',
    ['scada.alarms'],
    async (records) => {
      for (const record of records) {
        const alarm = JSON.parse(typeof record.value === 'string' ? record.value : Buffer.from(record.value).toString('utf8'))
          .data as Alarm;
        const flood = alarm.flood ? ' (flood)' : '';
        console.log(
          `[${time()}] ALARM ${alarm.transition.padEnd(12)} ${alarm.severity.padEnd(8)} ${alarm.message}${flood} → ${alarm.state}`,
        );
      }
      return records.length;
    },
    { maxChunk: 100, fromBeginning: false },
  );
  const count = (topic: string) => bus.read(topic).length;
  const deadLetters = () => ['scada.telemetry.raw', 'scada.telemetry.validated', 'scada.alarms'].reduce((n, t) => n + count(`${t}.dlq`), 0);
  const timer = setInterval(async () => {
    const stored = options.db
      ? await options.db.query<{ n: number }>('SELECT count(*)::int AS n FROM telemetry').then(
          (r) => r.rows[0]?.n,
          () => undefined,
        )
      : undefined;
    const active = options.redis
      ? (await Promise.all(options.tenants.map((t) => options.redis?.zcard(redisKeys.activeAlarms(t)) ?? 0))).reduce((a, b) => a + b, 0)
      : undefined;
    const calculations = ['well-testing.ipr-calculated', 'drilling.calculations', 'production.calculations'].reduce(
      (n, t) => n + count(t),
      0,
    );
    console.log(
      `[${time()}] raw ${count('scada.telemetry.raw')} → validated ${count('scada.telemetry.validated')} → stored ${stored ?? '-'} rows` +
        ` | alarms active ${active ?? '-'} | calculations ${calculations} | dead letters ${deadLetters()}`,
    );
  }, options.everyMs ?? 10_000);
  return {
    async stop() {
      clearInterval(timer);
      await subscription.stop();
    },
  };
}
