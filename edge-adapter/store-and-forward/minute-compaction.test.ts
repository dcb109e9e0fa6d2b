import { describe, expect, it } from 'vitest';
import { Quality } from '../../contracts/quality.ts';
import { compactMinutes, mergePieces, type StoredSample } from './minute-compaction.ts';

const T0 = 1_700_000_040_000; // a minute boundary
let seq = 0;
const s = (series: number, ts: number, value: number, quality: number = Quality.GOOD): StoredSample => ({
  seq: ++seq,
  series,
  ts,
  value,
  quality,
});

describe('compactMinutes', () => {
  it('keeps min, max, last, count, sum and the worst quality per tag and minute', () => {
    const pieces = compactMinutes([
      s(1, T0 + 1_000, 5),
      s(2, T0 + 1_000, 100, Quality.UNCERTAIN_LAST_USABLE),
      s(1, T0 + 20_000, 9, Quality.UNCERTAIN),
      s(1, T0 + 40_000, 2, Quality.GOOD_LOCAL_OVERRIDE),
      s(2, T0 + 30_000, 101, Quality.BAD_NOT_CONNECTED),
      s(1, T0 + 59_999, 7),
      s(1, T0 + 60_000, 1), // the next minute
    ]);
    expect(pieces).toEqual([
      { series: 1, firstTs: T0 + 1_000, lastTs: T0 + 59_999, count: 4, min: 2, max: 9, sum: 23, last: 7, worstQuality: Quality.UNCERTAIN },
      {
        series: 2,
        firstTs: T0 + 1_000,
        lastTs: T0 + 30_000,
        count: 2,
        min: 100,
        max: 101,
        sum: 201,
        last: 101,
        worstQuality: Quality.BAD_NOT_CONNECTED,
      },
      { series: 1, firstTs: T0 + 60_000, lastTs: T0 + 60_000, count: 1, min: 1, max: 1, sum: 1, last: 1, worstQuality: Quality.GOOD },
    ]);
  });

  it('orders pieces by their first sample read, and takes the last value by time, not by arrival', () => {
    const pieces = compactMinutes([
      s(3, T0 + 70_000, 1),
      s(4, T0 + 5_000, 2),
      s(3, T0 + 65_000, 3), // late: arrived after the 70 s sample
      s(4, T0 + 5_000, 4), // same time twice: the later read wins
    ]);
    expect(pieces.map((p) => [p.series, p.last, p.firstTs])).toEqual([
      [3, 1, T0 + 65_000],
      [4, 4, T0 + 5_000],
    ]);
  });

  it('ranks qualities bad < uncertain < good whatever the byte, lower byte first within a class', () => {
    const worst = (...q: number[]) => compactMinutes(q.map((quality, i) => s(9, T0 + i, 0, quality)))[0]?.worstQuality;
    expect(worst(Quality.GOOD, Quality.UNCERTAIN_SUB_NORMAL, Quality.GOOD_LOCAL_OVERRIDE)).toBe(Quality.UNCERTAIN_SUB_NORMAL);
    expect(worst(Quality.UNCERTAIN, Quality.BAD_OUT_OF_SERVICE)).toBe(Quality.BAD_OUT_OF_SERVICE);
    expect(worst(Quality.BAD_COMM_FAILURE, Quality.BAD_NOT_CONNECTED, Quality.BAD_OUT_OF_SERVICE)).toBe(Quality.BAD_NOT_CONNECTED);
    expect(worst(Quality.GOOD_LOCAL_OVERRIDE, Quality.GOOD)).toBe(Quality.GOOD);
  });

  it('gives the same minute whether compacted in one pass or in two merged', () => {
    const qualities = [Quality.GOOD, Quality.UNCERTAIN_EU_EXCEEDED, Quality.BAD_COMM_FAILURE, Quality.GOOD, Quality.UNCERTAIN];
    const samples = Array.from({ length: 50 }, (_, i) => s(1, T0 + i * 1_000, Math.sin(i) * 10, qualities[i % 5]));
    for (const cut of [1, 17, 49]) {
      const [whole] = compactMinutes(samples);
      const [a] = compactMinutes(samples.slice(0, cut));
      const [b] = compactMinutes(samples.slice(cut));
      if (!whole || !a || !b) throw new Error('every slice holds samples');
      const { sum, ...merged } = mergePieces(a, b);
      const { sum: wholeSum, ...rest } = whole;
      expect(merged).toEqual(rest);
      expect(sum).toBeCloseTo(wholeSum, 9);
    }
  });

  it('merges pieces read out of time order to the latest value by time', () => {
    const [a] = compactMinutes([s(1, T0 + 30_000, 3, Quality.UNCERTAIN)]);
    const [b] = compactMinutes([s(1, T0 + 10_000, 7)]);
    if (!a || !b) throw new Error('both hold a sample');
    expect(mergePieces(a, b)).toMatchObject({
      firstTs: T0 + 10_000,
      lastTs: T0 + 30_000,
      last: 3,
      count: 2,
      worstQuality: Quality.UNCERTAIN,
    });
  });
});
