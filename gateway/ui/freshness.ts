/**
 * Whether a value on screen may be read as live. A value is `stale` once it is older
 * than its tag's limit, and `offline` when the live link is down (nothing newer can
 * arrive, whatever its age); otherwise its validation status decides. Pure, so the
 * rule is tested without a browser (freshness.test.ts).
 */
export type Freshness = 'live' | 'suspect' | 'bad' | 'stale' | 'offline';

export interface ShownValue {
  timestamp: number;
  status: 'good' | 'suspect' | 'bad';
  staleAfterMs: number;
}

export function freshnessOf(value: ShownValue, now: number, linkUp: boolean): Freshness {
  if (value.status === 'bad') return 'bad';
  if (now - value.timestamp > value.staleAfterMs) return 'stale';
  if (!linkUp) return 'offline';
  return value.status === 'suspect' ? 'suspect' : 'live';
}

export const freshnessLabel: Record<Freshness, string> = {
  live: 'live',
  suspect: 'suspect',
  bad: 'bad',
  stale: 'stale',
  offline: 'not live',
};

/** OPC DA quality byte → its class, as contracts/quality.ts reads it. */
export function qualityName(quality: number): 'good' | 'uncertain' | 'bad' {
  const major = quality & 0xc0;
  return major === 0xc0 ? 'good' : major === 0x40 ? 'uncertain' : 'bad';
}
