import { describe, expect, it } from 'vitest';
import { RecentHistory, RecentSamples } from './recent-samples.ts';

const timesOf = (w: RecentSamples) => Array.from({ length: w.length }, (_, i) => w.time(i));

describe('RecentSamples', () => {
  it('holds the newest samples, newest first, up to its capacity', () => {
    const window = new RecentSamples(3, 7);
    expect(window.length).toBe(0);
    expect(window.newest).toBe(Number.NEGATIVE_INFINITY);
    for (const t of [10, 20, 30, 40]) window.push(t, t / 10, 192);
    expect(timesOf(window)).toEqual([40, 30, 20]);
    expect([window.value(0), window.quality(2), window.newest, window.version]).toEqual([4, 192, 40, 7]);
  });
});

describe('RecentHistory', () => {
  it('forgets the tags least recently seen once it holds its bound', () => {
    const history = new RecentHistory(2);
    history.set('a', new RecentSamples(1, 1));
    history.set('b', new RecentSamples(1, 1));
    history.get('a'); // seen again: b is now the least recent
    history.set('c', new RecentSamples(1, 1));
    expect([history.get('a') !== undefined, history.get('b') !== undefined, history.get('c') !== undefined]).toEqual([true, false, true]);
    expect(history.size).toBe(2);
  });

  it('holds nothing with a bound of 0', () => {
    const history = new RecentHistory(0);
    history.set('a', new RecentSamples(1, 1));
    expect(history.get('a')).toBeUndefined();
  });
});
