import { effectiveBubblePointPsia, productivityIndexStbdPerPsi, type TestPoint } from './productivity-index.ts';
import { vogelDimensionlessRate, vogelPressureAtFraction } from './vogel-ipr.ts';

/** Which shape the pressures give the IPR. */
export type IprModelKind = 'linear' | 'composite-vogel' | 'vogel';

/**
 * The composite (generalized Vogel) IPR: a straight line J (p̄ − pwf) while the
 * flowing pressure is above the bubble point, Vogel's curve scaled to the bubble
 * point below it, joined with the same rate and slope at p_b:
 *
 *   pwf ≥ p_b:  q = J (p̄ − pwf)
 *   pwf < p_b:  q = q_b + (J p_b / 1.8) [1 − 0.2 (pwf/p_b) − 0.8 (pwf/p_b)²],  q_b = J (p̄ − p_b)
 *
 * and the absolute open flow (pwf = 0) is q_b + J p_b / 1.8. With p_b ≥ p̄ this is
 * Vogel's saturated IPR with qmax = J p̄ / 1.8; with p_b = 0 it is the straight line.
 */
export interface CompositeIpr {
  readonly kind: IprModelKind;
  readonly reservoirPressurePsia: number;
  /** The bubble point the curve bends at (the input, capped at the reservoir pressure). */
  readonly bubblePointPressurePsia: number;
  readonly productivityIndexStbdPerPsi: number;
  /** Rate when the well flows at the bubble point: the end of the straight line. */
  readonly bubblePointRateStbd: number;
  /** Absolute open flow: the rate at pwf = 0 psia. */
  readonly absoluteOpenFlowStbd: number;
  rateAt(flowingBottomholePressurePsia: number): number;
  /** The inverse: the flowing bottom-hole pressure that gives `oilRateStbd` (0 beyond the AOF). */
  pressureAt(oilRateStbd: number): number;
}

export function compositeIpr(input: {
  reservoirPressurePsia: number;
  bubblePointPressurePsia: number;
  productivityIndexStbdPerPsi: number;
}): CompositeIpr {
  const pr = input.reservoirPressurePsia;
  const pb = effectiveBubblePointPsia(input.bubblePointPressurePsia, pr);
  const j = input.productivityIndexStbdPerPsi;
  if (!(j > 0)) throw new RangeError(`productivity index must be above 0 stb/d/psi, got ${j}`);
  const qb = j * (pr - pb);
  const vogelPartStbd = (j * pb) / 1.8;
  const aof = qb + vogelPartStbd;
  const kind: IprModelKind = pb <= 0 ? 'linear' : pb >= pr ? 'vogel' : 'composite-vogel';
  return {
    kind,
    reservoirPressurePsia: pr,
    bubblePointPressurePsia: pb,
    productivityIndexStbdPerPsi: j,
    bubblePointRateStbd: qb,
    absoluteOpenFlowStbd: aof,
    rateAt(pwf) {
      const p = Math.min(Math.max(pwf, 0), pr);
      if (p >= pb) return j * (pr - p);
      return qb + vogelPartStbd * vogelDimensionlessRate(p, pb);
    },
    pressureAt(q) {
      if (q <= 0) return pr;
      if (q >= aof) return 0;
      if (q <= qb) return pr - q / j;
      return vogelPressureAtFraction((q - qb) / vogelPartStbd, pb);
    },
  };
}

/** The IPR through one stabilized test point: J from the test, shape from the pressures. */
export function iprFromTest(test: TestPoint): CompositeIpr {
  return compositeIpr({
    reservoirPressurePsia: test.reservoirPressurePsia,
    bubblePointPressurePsia: test.bubblePointPressurePsia,
    productivityIndexStbdPerPsi: productivityIndexStbdPerPsi(test),
  });
}
