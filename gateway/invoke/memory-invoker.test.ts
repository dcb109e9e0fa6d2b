import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BoundFunction, bindFunction } from '../../runtime/bound-function.ts';
import { defineFunction } from '../../runtime/define-function.ts';
import { FunctionManifest } from '../../runtime/manifest.ts';
import { createRuntimeMetrics } from '../../runtime/metrics.ts';
import { missingStateStore } from '../../runtime/resources/open.ts';
import { memoryInvoker } from './memory-invoker.ts';

const metrics = createRuntimeMetrics({ processMetrics: false });

function version(name: string, calls: string[], label: string): Promise<BoundFunction> {
  return bindFunction({
    manifest: FunctionManifest.parse({ name, subscribes: ['in'] }),
    definition: defineFunction({ in: z.object({ n: z.number() }) }, async () => {
      calls.push(label);
    }),
    log: pino({ level: 'silent' }),
    metrics,
    state: missingStateStore(name),
  });
}

describe('the memory invoker over functions that change (npm run dev)', () => {
  it('calls the version running now and lists the functions running now', async () => {
    const calls: string[] = [];
    let running = [await version('calc', calls, 'calc v1')];
    const invoker = memoryInvoker(
      () => running,
      async () => {},
    );
    await invoker.invoke('calc', { data: { n: 1 } });
    running = [await version('calc', calls, 'calc v2'), await version('fresh', calls, 'fresh v1')];
    await invoker.invoke('calc', { data: { n: 2 } });
    await invoker.invoke('fresh', { data: { n: 3 } });
    expect(calls).toEqual(['calc v1', 'calc v2', 'fresh v1']);
    expect(invoker.names).toEqual(['calc', 'fresh']);
    running = [];
    await expect(invoker.invoke('calc', { data: { n: 4 } })).rejects.toThrow('no function "calc" in this process');
  });
});
