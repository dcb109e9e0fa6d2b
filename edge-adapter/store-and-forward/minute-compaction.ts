import { minuteOf } from '../../contracts/compacted-minute.ts';
import { worseQuality } from '../../contracts/quality.ts';

/** A buffered sample as the journal stores it: its series (device, tag) by id. */
export interface StoredSample {
  seq: number;
  series: number;
  ts: number;
  value: number;
  quality: number;
}

/** The samples of one series within one minute, reduced to what a 1-minute rollup keeps. */
export interface MinutePiece {
  series: number;
  firstTs: number;
  lastTs: number;
  count: number;
  min: number;
  max: number;
  sum: number;
  last: number;
  worstQuality: number;
}

/**
 * Reduces samples (in the order they were read) to one piece per series and minute, the
 * pieces in the order of their first sample, so that what leaves the buffer keeps the
 * order it was read in. `last` is the value of the latest timestamp (the later read on a
 * tie): a device that delivers a minute out of order still gets its true last value.
 */
export function compactMinutes(samples: Iterable<StoredSample>): MinutePiece[] {
  const pieces = new Map<string, MinutePiece>();
  for (const s of samples) {
    const key = `${s.series}:${minuteOf(s.ts)}`;
    const piece = pieces.get(key);
    if (!piece) {
      pieces.set(key, {
        series: s.series,
        firstTs: s.ts,
        lastTs: s.ts,
        count: 1,
        min: s.value,
        max: s.value,
        sum: s.value,
        last: s.value,
        worstQuality: s.quality,
      });
      continue;
    }
    piece.count += 1;
    piece.sum += s.value;
    if (s.value < piece.min) piece.min = s.value;
    if (s.value > piece.max) piece.max = s.value;
    if (s.ts < piece.firstTs) piece.firstTs = s.ts;
    if (s.ts >= piece.lastTs) {
      piece.lastTs = s.ts;
      piece.last = s.value;
    }
    piece.worstQuality = worseQuality(piece.worstQuality, s.quality);
  }
  return [...pieces.values()];
}

/**
 * One piece for the samples of two pieces of the same series and minute (`b` read after
 * `a`): what compacting them together would have given, so a minute that straddles two
 * compaction passes is still one piece.
 */
export function mergePieces(a: MinutePiece, b: MinutePiece): MinutePiece {
  const later = b.lastTs >= a.lastTs ? b : a;
  return {
    series: a.series,
    firstTs: Math.min(a.firstTs, b.firstTs),
    lastTs: later.lastTs,
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    sum: a.sum + b.sum,
    last: later.last,
    worstQuality: worseQuality(a.worstQuality, b.worstQuality),
  };
}
