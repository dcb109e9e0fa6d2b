import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deadLetterHeader } from '../../dead-letter.ts';
import { defineBatchFunction, defineFunction } from '../../define-function.ts';
import { PermanentError } from '../../errors/permanent-error.ts';
import { RetryableError } from '../../errors/retryable-error.ts';
import { createTestBed, type TestBed } from '../../testing.ts';

const Reading = z.object({ device: z.string(), n: z.number().int() }).strict();
const fastRetry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, multiplier: 1 };

let bed: TestBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

describe('memory host', () => {
  it('delivers every event once, in order per key, and publishes what the handler publishes', async () => {
    const seen: string[] = [];
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'doubler', subscribes: ['in'], publishes: ['out'], concurrency: 4 },
          definition: defineFunction({ in: Reading }, async (event, ctx) => {
            // Uneven delays: only per-key ordering keeps these in order.
            await new Promise((r) => setTimeout(r, (event.data.n * 7) % 5));
            seen.push(`${event.data.device}:${event.data.n}`);
            ctx.publish('out', { device: event.data.device, n: event.data.n * 2 }, { key: event.data.device });
          }),
        },
      ],
    });
    for (let n = 0; n < 20; n++) for (const device of ['a', 'b', 'c']) bed.publish('in', { device, n }, { key: device });
    await bed.drained();

    expect(seen).toHaveLength(60);
    for (const device of ['a', 'b', 'c']) {
      const order = seen.filter((s) => s.startsWith(`${device}:`)).map((s) => Number(s.split(':')[1]));
      expect(order).toEqual([...Array(20).keys()]);
    }
    const out = bed.events<{ device: string; n: number }>('out');
    expect(out).toHaveLength(60);
    expect(out.filter((e) => e.data.device === 'a').map((e) => e.data.n)).toEqual([...Array(20).keys()].map((n) => n * 2));
    expect(out[0]).toMatchObject({ specversion: '1.0', source: 'flowline/doubler', type: 'out' });
  });

  it('gives each consumer group its own copy of the stream', async () => {
    const counts = { one: 0, two: 0 };
    bed = await createTestBed({
      functions: (['one', 'two'] as const).map((name) => ({
        manifest: { name, subscribes: ['in'] },
        definition: defineFunction({ in: Reading }, async () => {
          counts[name] += 1;
        }),
      })),
    });
    for (let n = 0; n < 10; n++) bed.publish('in', { device: 'x', n }, { key: 'x' });
    await bed.drained();
    expect(counts).toEqual({ one: 10, two: 10 });
  });

  it('retries a transient failure and succeeds without dead-lettering', async () => {
    let calls = 0;
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'flaky', subscribes: ['in'], retry: fastRetry },
          definition: defineFunction({ in: Reading }, async () => {
            calls += 1;
            if (calls < 3) throw new RetryableError('database is restarting');
          }),
        },
      ],
    });
    bed.publish('in', { device: 'x', n: 1 }, { key: 'x' });
    await bed.drained();
    expect(calls).toBe(3);
    expect(bed.deadLetters('in')).toHaveLength(0);
  });

  it('dead-letters undecodable, invalid, permanent and exhausted events with their reasons, and keeps flowing', async () => {
    const handled: number[] = [];
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'picky', subscribes: ['in'], retry: fastRetry },
          definition: defineFunction({ in: Reading }, async (event) => {
            if (event.data.n === 13) throw new PermanentError('13 is unlucky');
            if (event.data.n === 7) throw new Error('always fails');
            handled.push(event.data.n);
          }),
        },
      ],
      partitions: 1,
    });
    bed.publish('in', { device: 'x', n: 1 }, { key: 'x' });
    bed.publishRaw('in', '{not json', 'x');
    bed.publish('in', { device: 'x', n: 'two' }, { key: 'x' });
    bed.publish('in', { device: 'x', n: 13 }, { key: 'x' });
    bed.publish('in', { device: 'x', n: 7 }, { key: 'x' });
    bed.publish('in', { device: 'x', n: 3 }, { key: 'x' });
    await bed.drained();

    expect(handled).toEqual([1, 3]);
    const letters = bed.deadLetters('in');
    expect(letters.map((l) => l.headers[deadLetterHeader.cause])).toEqual(['undecodable', 'invalid', 'permanent', 'exhausted']);
    expect(letters[0]?.headers[deadLetterHeader.reason]).toMatch(/^not JSON/);
    expect(letters[1]?.headers[deadLetterHeader.reason]).toMatch(/^data does not match the in schema: n: /);
    expect(letters[2]?.headers[deadLetterHeader.reason]).toBe('PermanentError: 13 is unlucky');
    expect(letters[3]?.headers[deadLetterHeader.reason]).toBe('gave up after 3 attempts: always fails');
    expect(letters[3]?.headers[deadLetterHeader.attempts]).toBe('3');
    expect(letters[1]?.value).toContain('"two"'); // the original message, unchanged
    const dead = await bed.metrics.deadLetters.get();
    expect(dead.values.reduce((sum, v) => sum + v.value, 0)).toBe(4);
  });

  it('republishes the same event ids when a handler is retried, so downstream can deduplicate', async () => {
    let calls = 0;
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'twice', subscribes: ['in'], publishes: ['out'], retry: fastRetry },
          definition: defineFunction({ in: Reading }, async (event, ctx) => {
            calls += 1;
            ctx.publish('out', event.data, { key: event.data.device });
            if (calls === 1) throw new Error('lost the ack');
          }),
        },
      ],
    });
    const input = bed.publish('in', { device: 'x', n: 1 }, { key: 'x', id: 'evt-1' });
    await bed.drained();
    const out = bed.events('out');
    expect(out).toHaveLength(1); // the failed attempt's publish was discarded
    expect(out[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out[0]?.traceparent?.slice(3, 35)).toBe(input.traceparent?.slice(3, 35)); // same trace

    // Handling the same input again (a redelivery) yields the same derived id.
    const again = await createTestBed({
      functions: [
        {
          manifest: { name: 'twice', subscribes: ['in'], publishes: ['out'] },
          definition: defineFunction({ in: Reading }, async (event, ctx) => ctx.publish('out', event.data, { key: 'x' })),
        },
      ],
    });
    again.publish('in', { device: 'x', n: 1 }, { key: 'x', id: 'evt-1' });
    await again.drained();
    expect(again.events('out')[0]?.id).toBe(out[0]?.id);
    await again.stop();
  });

  it('refuses a publish to a topic the manifest does not declare, and one that fails its schema', async () => {
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'rogue', subscribes: ['in'], publishes: ['out'] },
          definition: defineFunction({ in: Reading }, async (event, ctx) => {
            if (event.data.n === 1) ctx.publish('elsewhere', {});
            else ctx.publish('out', { wrong: true });
          }),
        },
      ],
      publishSchemas: { out: Reading },
      partitions: 1,
    });
    bed.publish('in', { device: 'x', n: 1 }, { key: 'x' });
    bed.publish('in', { device: 'x', n: 2 }, { key: 'x' });
    await bed.drained();
    const reasons = bed.deadLetters('in').map((l) => l.headers[deadLetterHeader.reason]);
    expect(reasons[0]).toContain('may not publish to "elsewhere": add it to publishes in its function.yaml');
    expect(reasons[1]).toContain('published data does not match the out schema');
    expect(bed.events('out')).toHaveLength(0);
  });

  it('hands batches to a batch function and isolates a poison event when the batch keeps failing', async () => {
    const batches: number[][] = [];
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'sink', subscribes: ['in'], batch: { maxSize: 50 }, retry: fastRetry },
          definition: defineBatchFunction({ in: Reading }, async (events) => {
            if (events.some((e) => e.data.n === 42)) throw new Error('constraint violated by n=42');
            batches.push(events.map((e) => e.data.n));
          }),
        },
      ],
      partitions: 1,
    });
    for (let n = 40; n < 45; n++) bed.publish('in', { device: 'x', n }, { key: `k${n}` });
    await bed.drained();

    const stored = batches.flat().sort();
    expect(stored).toEqual([40, 41, 43, 44]);
    const letters = bed.deadLetters('in');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.headers[deadLetterHeader.reason]).toContain('constraint violated by n=42');
  });

  it('says which manifest entry is missing when a handler touches an undeclared resource', async () => {
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'needy', subscribes: ['in'] },
          definition: defineFunction({ in: Reading }, async (_event, ctx) => {
            await ctx.redis.get('x');
          }),
        },
      ],
    });
    bed.publish('in', { device: 'x', n: 1 }, { key: 'x' });
    await bed.drained();
    expect(bed.deadLetters('in')[0]?.headers[deadLetterHeader.reason]).toContain('add "redis" to needs');
  });

  it('rejects a handler whose schemas do not name the manifest topics', async () => {
    await expect(
      createTestBed({
        functions: [{ manifest: { name: 'drift', subscribes: ['a', 'b'] }, definition: defineFunction({ a: Reading }, async () => {}) }],
      }),
    ).rejects.toThrow('function.yaml subscribes to [a, b] but handler.ts declares schemas for [a]');
  });

  it('runs setup once before the first event and hands its result to every call', async () => {
    let setups = 0;
    const seen: string[] = [];
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'configured', subscribes: ['in'] },
          definition: defineFunction(
            { in: Reading },
            {
              setup: async () => {
                setups += 1;
                return { prefix: 'n=' };
              },
              handler: async (event, _ctx, deps) => {
                seen.push(`${deps.prefix}${event.data.n}`);
              },
            },
          ),
        },
      ],
    });
    bed.publish('in', { device: 'x', n: 1 }, { key: 'x' });
    bed.publish('in', { device: 'x', n: 2 }, { key: 'x' });
    await bed.drained();
    expect(setups).toBe(1);
    expect(seen).toEqual(['n=1', 'n=2']);
  });

  it('ticks on its own schedule and publishes what the tick publishes', async () => {
    let ticks = 0;
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'clock', subscribes: ['in'], publishes: ['out'], needs: ['redis'] },
          definition: defineFunction(
            { in: Reading },
            {
              handler: async () => {},
              tick: {
                everyMs: 20,
                run: async (ctx) => {
                  ticks += 1;
                  ctx.publish('out', { device: 'clock', n: ticks }, { key: 'clock' });
                },
              },
            },
          ),
        },
      ],
      redis: new RedisMock() as unknown as Redis, // the tick's lock (one replica per interval)
    });
    const deadline = Date.now() + 10_000;
    while (bed.events('out').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(
      bed
        .events<{ n: number }>('out')
        .map((e) => e.data.n)
        .slice(0, 3),
    ).toEqual([1, 2, 3]);
  });
});
