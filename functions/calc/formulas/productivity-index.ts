import { vogelDimensionlessRate } from './vogel-ipr.ts';

/** A stabilized test: one rate at one flowing bottom-hole pressure, all pressures absolute. */
export interface TestPoint {
  oilRateStbd: number;
  flowingBottomholePressurePsia: number;
  reservoirPressurePsia: number;
  /** Bubble point; at or above the reservoir pressure the reservoir is saturated. */
  bubblePointPressurePsia: number;
}

/**
 * The productivity index J (stb/d/psi) of the straight-line part of the IPR, from one
 * test point. Above the bubble point it is the definition J = q / (p̄ − pwf). Below
 * it, the test point sits on the Vogel part of the composite IPR, so J solves
 *
 *   q = J (p̄ − p_b) + (J p_b / 1.8) [1 − 0.2 (pwf/p_b) − 0.8 (pwf/p_b)²]
 *
 * (the generalized Vogel equation, e.g. Guo, Lyons & Ghalambor, Petroleum Production
 * Engineering, 2007, section 3.4). A saturated reservoir (p_b ≥ p̄) is the special
 * case p_b = p̄, where the result is J = 1.8 qmax / p̄.
 */
export function productivityIndexStbdPerPsi(test: TestPoint): number {
  const { oilRateStbd: q, flowingBottomholePressurePsia: pwf, reservoirPressurePsia: pr } = test;
  if (!(pr > 0)) throw new RangeError(`reservoir pressure must be above 0 psia, got ${pr}`);
  if (!(q > 0)) throw new RangeError(`a test needs a positive oil rate to define a productivity index, got ${q} stb/d`);
  if (!(pwf >= 0 && pwf < pr)) {
    throw new RangeError(`the test's flowing bottom-hole pressure (${pwf} psia) must lie in [0, reservoir pressure ${pr} psia)`);
  }
  const pb = effectiveBubblePointPsia(test.bubblePointPressurePsia, pr);
  if (pwf >= pb) return q / (pr - pwf);
  return q / (pr - pb + (pb / 1.8) * vogelDimensionlessRate(pwf, pb));
}

/** The bubble point the IPR bends at: never above the reservoir pressure, never below zero. */
export function effectiveBubblePointPsia(bubblePointPressurePsia: number, reservoirPressurePsia: number): number {
  return Math.max(0, Math.min(bubblePointPressurePsia, reservoirPressurePsia));
}
