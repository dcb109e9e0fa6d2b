import type { PhaseAllocation } from '#contracts';

export interface AllocationResult {
  allocation: PhaseAllocation;
  /** Each well's allocated volume, when the allocation was made. */
  shares: Map<string, number>;
}

/**
 * The standard test-based allocation of a field's fiscal volume back to its wells:
 *   allocated_i = fiscal × theoretical_i / Σ theoretical,  factor = fiscal / Σ theoretical
 * where theoretical_i is the well's test rate × its uptime hours / 24. The shares add up to
 * the fiscal volume exactly (the largest share takes the rounding remainder). A well that was up
 * without a test rate for the phase leaves its share unknowable, so nothing is allocated: a
 * partial allocation would hand its oil to its neighbours.
 */
export function allocate(
  fiscal: number | null,
  theoretical: ReadonlyMap<string, number | undefined>,
  round: (v: number) => number,
): AllocationResult {
  const none = (reason: string): AllocationResult => ({ allocation: { allocated: false, reason }, shares: new Map() });
  if (fiscal === null) return none('the fiscal meter had no readings for the day');
  const untested = [...theoretical].filter(([, v]) => v === undefined).map(([wellId]) => wellId);
  if (untested.length > 0)
    return none(
      `no well test with this phase's rate for ${untested.slice(0, 10).join(', ')}${untested.length > 10 ? ', …' : ''}: enter a test to allocate`,
    );
  const total = [...theoretical.values()].reduce<number>((sum, v) => sum + (v ?? 0), 0);
  if (total <= 0) {
    if (fiscal > 0) return none('the fiscal meter measured a volume but no well was up with a tested rate: nothing to allocate it to');
    return {
      allocation: { allocated: true, fiscal: 0, theoreticalTotal: 0, factor: 0 },
      shares: new Map([...theoretical.keys()].map((w) => [w, 0])),
    };
  }
  const shares = new Map<string, number>();
  for (const [wellId, v] of theoretical) shares.set(wellId, round((fiscal * (v ?? 0)) / total));
  // Rounding leaves a remainder of a few thousandths: the largest share takes it, so the shares add up to the fiscal volume.
  const remainder = round(fiscal) - [...shares.values()].reduce((sum, v) => sum + v, 0);
  const largest = [...shares].sort((a, b) => b[1] - a[1])[0];
  if (largest && remainder !== 0) shares.set(largest[0], round(largest[1] + remainder));
  return {
    allocation: {
      allocated: true,
      fiscal: round(fiscal),
      theoreticalTotal: round(total),
      factor: Math.round((fiscal / total) * 1e6) / 1e6,
    },
    shares,
  };
}
