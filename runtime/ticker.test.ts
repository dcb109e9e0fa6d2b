import { spawnSync } from 'node:child_process';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bindFunction } from './bound-function.ts';
import { defineFunction } from './define-function.ts';
import { FunctionManifest } from './manifest.ts';
import { createRuntimeMetrics } from './metrics.ts';
import { missingStateStore } from './resources/open.ts';
import { startTicker } from './ticker.ts';

const Reading = z.object({ device: z.string(), n: z.number().int() }).strict();

describe('ticks across replicas', () => {
  const bind = (tick: { everyMs: number; onEveryReplica?: boolean }, redis?: Redis) =>
    bindFunction({
      manifest: FunctionManifest.parse({ name: 'sweeper', subscribes: ['in'], ...(redis ? { needs: ['redis'] } : {}) }),
      definition: defineFunction({ in: Reading }, { handler: async () => {}, tick: { ...tick, run: async () => {} } }),
      log: pino({ level: 'silent' }),
      metrics: createRuntimeMetrics({ processMetrics: false }),
      state: missingStateStore('sweeper'),
      ...(redis ? { redis } : {}),
    });

  it('a tick without Redis refuses to start (every replica would run it), naming REDIS_URL', async () => {
    const fn = await bind({ everyMs: 1_000 });
    expect(() => startTicker(fn, async () => {}, new AbortController().signal)).toThrow(
      /function "sweeper" has a tick \(every 1000 ms\) but no shared Redis.*set REDIS_URL/,
    );
  });

  it('a tick marked onEveryReplica runs without Redis', async () => {
    const fn = await bind({ everyMs: 1_000, onEveryReplica: true });
    const ticker = startTicker(fn, async () => {}, new AbortController().signal);
    await ticker.stop();
  });

  it('the kafka host with the in-process Redis stand-in refuses a ticking function at start, naming REDIS_URL', () => {
    const env = { ...process.env, FLOWLINE_HOST: 'kafka', REDIS_URL: 'memory://', LOG_LEVEL: 'silent' };
    const run = spawnSync(process.execPath, ['runtime/run.ts', 'functions/alarm'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toContain('REDIS_URL: function "alarm" has a tick (every 5000 ms) but no shared Redis');
    expect(run.status).toBe(2);
  });
});
