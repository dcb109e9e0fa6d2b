import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { type Alarm, topics } from '#contracts';
import { loadManifest } from '#runtime/load-function.ts';
import { createTestBed, type TestBed } from '#runtime/testing.ts';
import type { Channels } from '../../../config/channels.ts';
import { notifyFunction } from '../notify-function.ts';

export const t0 = Date.parse('2026-03-02T08:00:00Z');

/** A clock the test moves by hand: rate windows, de-duplication and escalation read it. */
export function manualClock(start = t0) {
  let now = start;
  return {
    now: () => now,
    set: (ms: number) => {
      now = ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Retries quick enough for tests; the backoff still runs for real. */
export const quickRetry = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 };

/**
 * The notify function on the memory host with its own channels document and clock,
 * and an in-process Redis (ioredis-mock: instances share data, so it is flushed).
 * The tick is run on demand with `bed.tick('notify')`.
 */
export async function notifyBed(
  channels: z.input<typeof Channels>,
  options: { env?: Record<string, string>; clock?: ReturnType<typeof manualClock> } = {},
) {
  const redis: Redis = new (await import('ioredis-mock')).default();
  await redis.flushall();
  const clock = options.clock ?? manualClock();
  const manifest = await loadManifest(join(import.meta.dirname, '..'));
  const bed: TestBed = await createTestBed({
    functions: [{ manifest, definition: notifyFunction({ channels, env: options.env ?? {}, now: clock.now, tickEveryMs: 3_600_000 }) }],
    redis,
    publishSchemas: topics,
  });
  return {
    bed,
    redis,
    clock,
    /** Publishes an alarm event keyed by its device, as the alarm function does. */
    publish(alarm: Alarm, id?: string) {
      return bed.publish('scada.alarms', alarm, { key: alarm.deviceId, ...(id ? { id } : {}) });
    },
    metric: (name: string, labels: Record<string, string> = {}) => metricValue(bed, name, labels),
    async stop() {
      await bed.stop();
      redis.disconnect();
    },
  };
}
export type NotifyBed = Awaited<ReturnType<typeof notifyBed>>;

/** An alarm event of norte-01 as the alarm function would publish it; override what the test is about. */
export function alarmEvent(overrides: Partial<Alarm> = {}): Alarm {
  return {
    timestamp: t0,
    alarmId: 'rtu-w01.tubing_pressure.HH',
    deviceId: 'rtu-w01',
    tagId: 'tubing_pressure',
    severity: 'CRITICAL',
    message: 'tubing_pressure 1502 psi above HH 1450',
    value: 1502,
    threshold: 1450,
    condition: 'HH',
    transition: 'raised',
    state: 'UNACK_ACTIVE',
    tenantId: 'acme-energy',
    fieldId: 'campo-norte',
    wellId: 'norte-01',
    ...overrides,
  };
}

async function metricValue(bed: TestBed, name: string, labels: Record<string, string>): Promise<number> {
  const metric = bed.metrics.registry.getSingleMetric(`flowline_fn_notify_${name}`);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Polls until `probe` holds: for effects that land asynchronously, never a fixed sleep. */
export async function eventually<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
