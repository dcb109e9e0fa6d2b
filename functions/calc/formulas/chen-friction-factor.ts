/**
 * Fanning friction factor for flow in a pipe. Turbulent flow uses Chen's explicit
 * approximation of the Colebrook equation (Chen, "An Explicit Equation for Friction
 * Factor in Pipe", Ind. Eng. Chem. Fundam. 18(3), 1979), the one Guo, Lyons &
 * Ghalambor (2007, eq. 4.7) and Economides et al. use for tubing:
 *
 *   1/√f = −4 log10[ ε/3.7065 − (5.0452/Re) log10( ε^1.1098/2.8257 + (7.149/Re)^0.8981 ) ]
 *
 * Laminar flow (Re < 2100) is f = 16/Re. The transition band is given the turbulent
 * value: a lift curve must be continuous in rate for the nodal solver, and the
 * difference there is small next to the hydrostatic term.
 */
export function fanningFrictionFactor(reynoldsNumber: number, relativeRoughness: number): number {
  if (!(reynoldsNumber > 0)) throw new RangeError(`Reynolds number must be above 0, got ${reynoldsNumber}`);
  if (!(relativeRoughness >= 0 && relativeRoughness < 0.1)) {
    throw new RangeError(`relative roughness (roughness / diameter) lies in [0, 0.1), got ${relativeRoughness}`);
  }
  if (reynoldsNumber < 2100) return 16 / reynoldsNumber;
  const e = relativeRoughness;
  const inner = e ** 1.1098 / 2.8257 + (7.149 / reynoldsNumber) ** 0.8981;
  const invSqrtF = -4 * Math.log10(e / 3.7065 - (5.0452 / reynoldsNumber) * Math.log10(inner));
  return 1 / (invSqrtF * invSqrtF);
}
