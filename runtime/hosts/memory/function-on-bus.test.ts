import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type BoundFunction, bindFunction } from '../../bound-function.ts';
import { defineFunction, type FunctionDefinition } from '../../define-function.ts';
import { createEvent, encodeEvent } from '../../envelope.ts';
import { FunctionManifest, type FunctionManifestInput } from '../../manifest.ts';
import { createRuntimeMetrics } from '../../metrics.ts';
import { missingStateStore } from '../../resources/open.ts';
import { MemoryBus } from './bus.ts';
import { runOnBus } from './function-on-bus.ts';

const Numbered = z.object({ n: z.number().int() });
const metrics = createRuntimeMetrics({ processMetrics: false });
const log = pino({ level: 'silent' });

function bind(manifest: FunctionManifestInput, definition: FunctionDefinition): Promise<BoundFunction> {
  const parsed = FunctionManifest.parse({ startFrom: 'earliest', ...manifest });
  return bindFunction({ manifest: parsed, definition, log, metrics, state: missingStateStore(parsed.name) });
}

function publish(bus: MemoryBus, from: number, to: number): void {
  for (let n = from; n < to; n++) {
    const event = createEvent({ source: 'urn:test', type: 'in', data: { n }, partitionkey: `k${n % 3}` });
    bus.publish([{ topic: 'in', key: `k${n % 3}`, value: encodeEvent(event).toString('utf8') }]);
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('one function on the memory bus', () => {
  it('stops alone after its in-flight event, and its next run resumes exactly there while the others keep going', async () => {
    const bus = new MemoryBus({ partitions: 3 });
    const handled = { old: [] as number[], next: [] as number[], other: [] as number[] };
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let holding: () => void = () => {};
    const reachedFive = new Promise<void>((r) => {
      holding = r;
    });
    const old = runOnBus(
      bus,
      await bind(
        { name: 'reloaded', subscribes: ['in'] },
        defineFunction({ in: Numbered }, async (event) => {
          if (event.data.n === 5) {
            holding();
            await held; // in flight when stop() is called
          }
          handled.old.push(event.data.n);
        }),
      ),
    );
    const other = runOnBus(
      bus,
      await bind(
        { name: 'other', subscribes: ['in'] },
        defineFunction({ in: Numbered }, async (event) => {
          handled.other.push(event.data.n);
        }),
      ),
    );
    publish(bus, 0, 20);
    await reachedFive;
    const stopping = old.stop();
    publish(bus, 20, 40); // published while the old version drains its chunk
    release();
    await stopping;
    expect(handled.old).toContain(5);

    const next = runOnBus(
      bus,
      await bind(
        { name: 'reloaded', subscribes: ['in'] },
        defineFunction({ in: Numbered }, async (event) => {
          handled.next.push(event.data.n);
        }),
      ),
    );
    publish(bus, 40, 60);
    await bus.drained();
    await Promise.all([next.stop(), other.stop()]);

    expect([...handled.old, ...handled.next].sort((a, b) => a - b)).toEqual(range(0, 60)); // each once: none lost, none twice
    expect(handled.next.length).toBeGreaterThan(0);
    expect([...handled.other].sort((a, b) => a - b)).toEqual(range(0, 60));
  });

  it('cuts the retries of a stuck event short after the grace period and leaves it uncommitted for the next run', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    let attempts = 0;
    let failing: () => void = () => {};
    const firstFailure = new Promise<void>((r) => {
      failing = r;
    });
    const stuck = runOnBus(
      bus,
      await bind(
        { name: 'stuck', subscribes: ['in'], retry: { maxAttempts: 'forever', initialDelayMs: 60_000 } },
        defineFunction({ in: Numbered }, async () => {
          attempts += 1;
          failing();
          throw new Error('the old code always fails');
        }),
      ),
    );
    publish(bus, 0, 1);
    await firstFailure;
    // Without the grace period this would wait out the 30 s retry delay, past the test's timeout.
    await stuck.stop({ graceMs: 20 });
    expect(attempts).toBeGreaterThan(0);

    const handled: number[] = [];
    const fixed = runOnBus(
      bus,
      await bind(
        { name: 'stuck', subscribes: ['in'] },
        defineFunction({ in: Numbered }, async (event) => {
          handled.push(event.data.n);
        }),
      ),
    );
    await bus.drained();
    await fixed.stop();
    expect(handled).toEqual([0]);
    expect(bus.read('in.dlq')).toHaveLength(0);
  });
});
