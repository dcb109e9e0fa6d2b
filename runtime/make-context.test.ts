import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineBatchFunction, defineFunction } from './define-function.ts';
import { createEvent, encodeEvent } from './envelope.ts';
import { createTestBed, type TestBed } from './testing.ts';

const Reading = z.object({ device: z.string(), n: z.number().int() }).strict();

let bed: TestBed | undefined;
afterEach(async () => {
  await bed?.stop();
  bed = undefined;
});

describe('publish ids of batches and ticks', () => {
  it('a redelivered batch republishes the ids it published the first time', async () => {
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'summer', subscribes: ['in'], publishes: ['out'] },
          definition: defineBatchFunction({ in: Reading }, async (events, ctx) => {
            ctx.publish('out', { device: 'all', n: events.reduce((sum, e) => sum + e.data.n, 0) }, { key: 'all' });
          }),
        },
      ],
      partitions: 1,
    });
    // One append of three records: one chunk, so one batch, each time.
    const readings = [1, 2, 3].map((n) => ({
      topic: 'in',
      key: 'x',
      value: encodeEvent(createEvent({ source: 'urn:test', type: 'in', id: `reading-${n}`, data: { device: 'x', n } })).toString('utf8'),
    }));
    const deliverTwice = async () => {
      bed?.bus.publish(readings);
      await bed?.drained();
    };
    await deliverTwice();
    await deliverTwice(); // the same three events again, as after a crash before the commit
    const out = bed.events('out');
    expect(out).toHaveLength(2);
    expect(out[1]?.id).toBe(out[0]?.id);
  });

  it('a batch handler can tie each publish to the event it is about, so a differently cut batch keeps the ids', async () => {
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'echo', subscribes: ['in'], publishes: ['out'] },
          definition: defineBatchFunction({ in: Reading }, async (events, ctx) => {
            for (const e of events) ctx.publish('out', e.data, { key: e.key ?? '', cause: e.id });
          }),
        },
      ],
      partitions: 1,
    });
    for (const n of [1, 2]) bed.publish('in', { device: 'x', n }, { key: 'x', id: `reading-${n}` });
    await bed.drained();
    bed.publish('in', { device: 'x', n: 2 }, { key: 'x', id: 'reading-2' }); // alone this time
    await bed.drained();
    const ids = bed.events<{ n: number }>('out').map((e) => `${e.data.n}:${e.id}`);
    expect(ids).toHaveLength(3);
    expect(ids[2]).toBe(ids[1]);
  });

  it('a tick publishes ids derived from its interval: the same interval gives the same ids, the next one new ones', async () => {
    const redis = new RedisMock() as unknown as Redis;
    await redis.flushall();
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'clock', subscribes: ['in'], publishes: ['out'], needs: ['redis'] },
          definition: defineFunction(
            { in: Reading },
            {
              handler: async () => {},
              tick: {
                everyMs: 3_600_000,
                run: async (ctx) => ctx.publish('out', { device: 'clock', n: 1 }, { key: 'clock' }),
              },
            },
          ),
        },
      ],
      redis,
    });
    await bed.tick('clock');
    await bed.tick('clock');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3_600_000);
      await bed.tick('clock');
    } finally {
      vi.useRealTimers();
    }
    const [first, second, next] = bed.events('out');
    expect(first?.id).toBeDefined();
    expect(second?.id).toBe(first?.id);
    expect(next?.id).not.toBe(first?.id);
  });
});

describe('the context a handler receives', () => {
  it('may be destructured: publish, log and metrics keep working apart from the context', async () => {
    bed = await createTestBed({
      functions: [
        {
          manifest: { name: 'forwarder', subscribes: ['in'], publishes: ['out'] },
          definition: defineFunction({ in: Reading }, async (event, { publish, log, metrics, functionName }) => {
            log.debug({ n: event.data.n }, 'forwarding');
            metrics.counter('forwarded_total', 'Readings forwarded.').inc();
            publish('out', { ...event.data, device: functionName }, { key: event.data.device });
          }),
        },
      ],
      partitions: 1,
    });
    bed.publish('in', { device: 'x', n: 7 }, { key: 'x', id: 'reading-7' });
    await bed.drained();
    expect(bed.events('out').map((e) => e.data)).toEqual([{ device: 'forwarder', n: 7 }]);
  });
});
