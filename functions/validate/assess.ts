import { qualityClass, type TelemetryFlag, type TelemetryRaw, type TelemetryStatus } from '#contracts';
import type { ClockBound, TagRule } from '../../config/tag-rules.ts';

/** A sample as kept in a tag's recent history (Redis), newest first when handed in. */
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
  before: readonly PastSample[],
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
    const good = before.filter((s) => qualityClass(s.q) === 'good');
    const previous = good[0];
    if (rule.rateOfChange && previous && timestamp > previous.t) {
      const perSecond = Math.abs(value - previous.v) / ((timestamp - previous.t) / 1000);
      if (perSecond > rule.rateOfChange.maxPerSecond) flags.push('rate-of-change');
    }
    if (rule.spike && good.length >= rule.spike.window) {
      const reference = median(good.slice(0, rule.spike.window).map((s) => s.v));
      if (Math.abs(value - reference) > rule.spike.maxDeviation) flags.push('spike');
    }
    if (rule.frozen && good.length >= rule.frozen.samples - 1) {
      const run = good.slice(0, rule.frozen.samples - 1).map((s) => s.v);
      const tolerance = rule.frozen.tolerance;
      if (run.every((v) => Math.abs(v - value) <= tolerance)) flags.push('frozen');
    }
  }
  const status: TelemetryStatus = flags.some((f) => badFlags.has(f)) ? 'bad' : flags.length > 0 ? 'suspect' : 'good';
  return { status, flags };
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
