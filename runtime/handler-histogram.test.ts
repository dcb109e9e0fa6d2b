import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HandlerHistogram } from './handler-histogram.ts';
import { handlerBuckets } from './metrics.ts';

const observations = [0.0001, 0.0005, 0.0007, 0.003, 0.02, 0.02, 0.3, 1, 7, 42];

describe('HandlerHistogram', () => {
  it('exports exactly what prom-client’s Histogram exports for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const options = {
      name: 'flowline_handler_duration_seconds',
      help: 'Time spent in one handler call.',
      labelNames: ['function', 'mode'],
    };
    const fast = new HandlerHistogram({ ...options, buckets: handlerBuckets, registers: [ours] });
    const reference = new Histogram({ ...options, buckets: handlerBuckets, registers: [theirs] });
    for (const [fn, mode] of [
      ['validate', 'batch'],
      ['notify', 'each'],
    ] as const) {
      const child = fast.labels({ function: fn, mode });
      for (const v of observations) {
        child.observe(v);
        reference.observe({ function: fn, mode }, v);
      }
    }
    fast.startTimer({ function: 'alarm', mode: 'tick' })();
    reference.observe({ function: 'alarm', mode: 'tick' }, 0); // a tick that took no time to speak of
    const normalise = (text: string) => text.replace(/(mode="tick"[^\n]*\} )[0-9.e-]+/g, '$1x');
    expect(normalise(await ours.metrics())).toBe(normalise(await theirs.metrics()));
  });

  it('refuses labels it was not declared with, naming them', () => {
    const fast = new HandlerHistogram({ name: 'h', help: 'h', labelNames: ['function', 'mode'], buckets: [1], registers: [] });
    expect(() => fast.labels({ function: 'x' })).toThrow('h takes the labels function, mode; got function');
    expect(() => fast.labels({ function: 'x', mode: 'each' }).observe(Number.NaN)).toThrow(/finite/);
  });
});
