import { brentRoot } from './brent-root.ts';
import { gasColumnPressurePsia } from './gas-column-pressure.ts';

/**
 * Continuous gas lift, two textbook relations.
 *
 * Injection point (point of balance, e.g. Brown 1980 vol. 2a; Guo et al. 2007):
 * below the injection point the tubing carries formation fluid only, so its pressure
 * falls from pwf at the perforations along the flowing gradient G_fb going up:
 * p_t(D) = pwf − G_fb (D_perf − D). The casing holds injection gas at p_c(D) (static
 * gas column). Gas can enter the tubing where p_c(D) − Δp_valve ≥ p_t(D); the deepest
 * such depth is the injection point (Δp_valve, typically 100 psi, keeps the valve
 * open). Neglects: the gradient's dependence on rate, which a flowing-gradient
 * correlation would give.
 */
export function gasLiftInjectionDepthFt(input: {
  surfaceInjectionPressurePsia: number;
  gasSpecificGravity: number;
  averageZFactor: number;
  averageTemperatureDegF: number;
  flowingBottomholePressurePsia: number;
  perforationDepthFt: number;
  /** Flowing pressure gradient of the formation fluid below the injection point. */
  gradientBelowInjectionPsiPerFt: number;
  valveDifferentialPsi: number;
}): { injectionDepthFt: number; atPerforations: boolean } {
  const casing = (depthFt: number) =>
    gasColumnPressurePsia({
      surfacePressurePsia: input.surfaceInjectionPressurePsia,
      gasSpecificGravity: input.gasSpecificGravity,
      depthFt,
      averageZFactor: input.averageZFactor,
      averageTemperatureDegF: input.averageTemperatureDegF,
    });
  const tubing = (depthFt: number) => tubingPressureBelowInjectionPsia(input, depthFt);
  const margin = (depthFt: number) => casing(depthFt) - input.valveDifferentialPsi - tubing(depthFt);
  if (margin(input.perforationDepthFt) >= 0) return { injectionDepthFt: input.perforationDepthFt, atPerforations: true };
  if (margin(0) < 0) {
    throw new RangeError(
      `injection gas at ${input.surfaceInjectionPressurePsia} psia cannot enter the tubing at any depth: raise the injection pressure or lower the valve differential`,
    );
  }
  return { injectionDepthFt: brentRoot(margin, 0, input.perforationDepthFt, { tolerance: 1e-6 }), atPerforations: false };
}

/**
 * Tubing pressure at `depthFt`, at or below the injection point, where the tubing carries
 * the formation's fluid alone: pwf less its flowing gradient over the height above the
 * perforations.
 */
export function tubingPressureBelowInjectionPsia(
  well: { flowingBottomholePressurePsia: number; perforationDepthFt: number; gradientBelowInjectionPsiPerFt: number },
  depthFt: number,
): number {
  return well.flowingBottomholePressurePsia - well.gradientBelowInjectionPsiPerFt * (well.perforationDepthFt - depthFt);
}

/**
 * Injection gas needed to bring the tubing to a target gas–liquid ratio: the
 * formation already supplies GLR_f, the rest is injected (Mscf/d).
 */
export function gasLiftInjectionRateMscfd(input: {
  liquidRateBbld: number;
  targetGasLiquidRatioScfPerBbl: number;
  formationGasLiquidRatioScfPerBbl: number;
}): number {
  const missing = input.targetGasLiquidRatioScfPerBbl - input.formationGasLiquidRatioScfPerBbl;
  return (Math.max(0, missing) * input.liquidRateBbld) / 1000;
}
