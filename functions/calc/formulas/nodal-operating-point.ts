import { brentRoot } from './brent-root.ts';
import type { CompositeIpr } from './composite-ipr.ts';
import { type LiquidLiftCurve, requiredBottomholePressurePsia } from './liquid-lift-curve.ts';

export type NodalOperatingPoint =
  | { flows: true; oilRateStbd: number; liquidRateBbld: number; flowingBottomholePressurePsia: number; pumpedOff: boolean }
  | { flows: false; reason: string };

/**
 * The operating point with the bottom hole as the node: the rate at which the
 * pressure the reservoir delivers (IPR) equals the pressure the tubing needs (lift
 * curve). The IPR falls with rate and the lift curve rises, so their difference
 * changes sign at most once on [0, AOF] and Brent's method finds it. Water rides
 * along with the oil at `waterCutFraction`: the IPR is the oil's, the lift curve
 * carries the liquid.
 */
export function nodalOperatingPoint(ipr: CompositeIpr, lift: LiquidLiftCurve, waterCutFraction: number): NodalOperatingPoint {
  if (!(waterCutFraction >= 0 && waterCutFraction < 1)) throw new RangeError(`water cut lies in [0, 1), got ${waterCutFraction}`);
  const liquidOf = (oilRateStbd: number) => oilRateStbd / (1 - waterCutFraction);
  const gap = (oilRateStbd: number) => ipr.pressureAt(oilRateStbd) - requiredBottomholePressurePsia(lift, liquidOf(oilRateStbd));
  const atShutIn = gap(0);
  if (atShutIn <= 0) {
    const needed = requiredBottomholePressurePsia(lift, 0);
    return {
      flows: false,
      reason: `the lift curve needs ${needed.toFixed(0)} psia at the bottom hole even at zero rate, at or above the reservoir pressure ${ipr.reservoirPressurePsia.toFixed(0)} psia: the well cannot flow against this wellhead pressure`,
    };
  }
  const aof = ipr.absoluteOpenFlowStbd;
  if (gap(aof) >= 0) {
    // The pump could take more than the reservoir gives: it draws the well down to zero.
    return { flows: true, oilRateStbd: aof, liquidRateBbld: liquidOf(aof), flowingBottomholePressurePsia: 0, pumpedOff: true };
  }
  const q = brentRoot(gap, 0, aof, { tolerance: 1e-6 });
  return { flows: true, oilRateStbd: q, liquidRateBbld: liquidOf(q), flowingBottomholePressurePsia: ipr.pressureAt(q), pumpedOff: false };
}
