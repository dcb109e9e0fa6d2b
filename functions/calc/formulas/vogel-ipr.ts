/**
 * Vogel's inflow performance relationship (Vogel, "Inflow Performance Relationships
 * for Solution-Gas Drive Wells", JPT January 1968, SPE-1476-PA): below the bubble
 * point, gas coming out of solution near the well bends the rate–pressure line, and
 * Vogel's simulations of solution-gas drive reservoirs fit one dimensionless curve
 *
 *   q / qmax = 1 − 0.2 (pwf / p̄) − 0.8 (pwf / p̄)²
 *
 * Pressures are absolute (the ratio is meaningless in gauge). `referencePsia` is the
 * average reservoir pressure for a saturated reservoir, or the bubble point when the
 * composite IPR uses it below p_b (see composite-ipr.ts).
 */
export function vogelDimensionlessRate(flowingBottomholePressurePsia: number, referencePsia: number): number {
  if (!(referencePsia > 0)) throw new RangeError(`Vogel's reference pressure must be above 0 psia, got ${referencePsia}`);
  const x = flowingBottomholePressurePsia / referencePsia;
  return 1 - 0.2 * x - 0.8 * x * x;
}

/**
 * The flowing bottom-hole pressure at which Vogel's curve gives `fraction` of qmax:
 * the positive root of 0.8 x² + 0.2 x − (1 − fraction) = 0. Closed form, so the
 * nodal solver never iterates on the inflow side.
 */
export function vogelPressureAtFraction(fraction: number, referencePsia: number): number {
  if (fraction < 0 || fraction > 1) throw new RangeError(`a Vogel rate fraction lies in [0, 1], got ${fraction}`);
  const x = (-0.2 + Math.sqrt(0.04 + 3.2 * (1 - fraction))) / 1.6;
  return x * referencePsia;
}
