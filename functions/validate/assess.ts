import { qualityClass, type TelemetryFlag, type TelemetryRaw, type TelemetryStatus } from '#contracts';
import type { ClockBound, TagRule } from '../../config/tag-rules.ts';

/** A sample as kept in a tag's recent history (Redis). */
export interface PastSample {
  t: number;
  v: number;
  q: number;
  id: string;
  /** The verdict it was given and when, so a redelivery of this event is answered the same. */
  s?: TelemetryStatus;
  f?: TelemetryFlag[];
  r?: number;
}

/**
 * The samples of a tag strictly older than the one at hand, newest first (index 0), at most
 * `historyNeeded(rule)` of them. A view, so the in-process window and a read of Redis serve alike.
 */
export interface SampleWindow {
  readonly length: number;
  time(i: number): number;
  value(i: number): number;
  quality(i: number): number;
}

export interface Verdict {
  status: TelemetryStatus;
  flags: TelemetryFlag[];
}

const badFlags = new Set<TelemetryFlag>(['quality-bad', 'out-of-range', 'clock-skew']);

/**
 * The verdict on one sample, from its tag rule and the samples strictly older than it
 * (`before`, newest first). A pure function of history-before-the-sample, so handling
 * the same sample twice (a redelivery) or late (out of order) gives the same answer.
 * Bad: the value is not a measurement (bad quality, outside the engineering range).
 * Suspect: a measurement worth keeping but not trusting blindly.
 */
export function assess(
  sample: TelemetryRaw,
  rule: TagRule | undefined,
  before: SampleWindow,
  context: { receivedAt: number; newerExists: boolean },
): Verdict {
  const flags: TelemetryFlag[] = [];
  const quality = qualityClass(sample.quality);
  if (quality === 'bad') flags.push('quality-bad');
  if (quality === 'uncertain') flags.push('quality-uncertain');
  if (!rule) flags.push('unknown-tag');
  if (context.newerExists) flags.push('out-of-order');

  if (rule) {
    const { value, timestamp } = sample;
    if (rule.range && (value < rule.range.min || value > rule.range.max)) flags.push('out-of-range');
    if (rule.staleAfterSeconds !== undefined && context.receivedAt - timestamp > rule.staleAfterSeconds * 1000) flags.push('stale');
    // Only good samples are evidence of how the tag normally behaves.
    const good: number[] = [];
    for (let i = 0; i < before.length; i++) if (qualityClass(before.quality(i)) === 'good') good.push(i);
    const previous = good[0];
    if (rule.rateOfChange && previous !== undefined && timestamp > before.time(previous)) {
      const perSecond = Math.abs(value - before.value(previous)) / ((timestamp - before.time(previous)) / 1000);
      if (perSecond > rule.rateOfChange.maxPerSecond) flags.push('rate-of-change');
    }
    if (rule.spike && good.length >= rule.spike.window) {
      const reference = median(good.slice(0, rule.spike.window).map((i) => before.value(i)));
      if (Math.abs(value - reference) > rule.spike.maxDeviation) flags.push('spike');
    }
    if (rule.frozen && good.length >= rule.frozen.samples - 1) {
      const tolerance = rule.frozen.tolerance;
      let frozen = true;
      for (let k = 0; k < rule.frozen.samples - 1 && frozen; k++) frozen = Math.abs(before.value(good[k] as number) - value) <= tolerance;
      if (frozen) flags.push('frozen');
    }
  }
  const status: TelemetryStatus = flags.some((f) => badFlags.has(f)) ? 'bad' : flags.length > 0 ? 'suspect' : 'good';
  return { status, flags };
}

/** A window over samples read back from Redis (already newest first and older than the sample). */
export function windowOf(samples: readonly PastSample[]): SampleWindow {
  return {
    length: samples.length,
    time: (i) => (samples[i] as PastSample).t,
    value: (i) => (samples[i] as PastSample).v,
    quality: (i) => (samples[i] as PastSample).q,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** How many past samples `assess` may look at for this rule. */
export function historyNeeded(rule: TagRule | undefined): number {
  return Math.max(1, rule?.frozen?.samples ?? 0, rule?.spike?.window ?? 0);
}

/** A timestamp too far ahead of, or behind, its arrival: the device's clock is wrong. */
export function clockSkewed(timestamp: number, receivedAt: number, clock: ClockBound): boolean {
  return timestamp > receivedAt + clock.maxAheadSeconds * 1000 || timestamp < receivedAt - clock.maxBehindSeconds * 1000;
}
