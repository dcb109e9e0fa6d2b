/**
 * The power an ESP gives the liquid it lifts: flow rate times the pressure it adds.
 * In oilfield units, 1 bbl/d · 1 psi = 5.615 ft³ · 144 lbf/ft² per 86 400 s, and
 * 1 hp = 550 ft·lbf/s, so
 *
 *   HHP = q [bbl/d] · Δp [psi] · 1.7015 × 10⁻⁵
 *
 * the same as the pump-handbook gpm · psi / 1714, and as Takács (Electrical
 * Submersible Pumps Manual, 2009) 7.368 × 10⁻⁶ q · TDH · γ with TDH = Δp / (0.433 γ).
 */
export const HP_PER_BBLD_PSI = (5.615 * 144) / (86_400 * 550);

export function espHydraulicHorsepower(liquidRateBbld: number, pumpDifferentialPressurePsi: number): number {
  if (!(liquidRateBbld >= 0)) throw new RangeError(`liquid rate cannot be negative, got ${liquidRateBbld} bbl/d`);
  return liquidRateBbld * pumpDifferentialPressurePsi * HP_PER_BBLD_PSI;
}

/** Total dynamic head: the pump's pressure rise as a height of the liquid pumped (0.433 psi/ft is fresh water). */
export function totalDynamicHeadFt(pumpDifferentialPressurePsi: number, liquidSpecificGravity: number): number {
  if (!(liquidSpecificGravity > 0)) throw new RangeError(`liquid specific gravity must be above 0, got ${liquidSpecificGravity}`);
  return pumpDifferentialPressurePsi / ((62.4 / 144) * liquidSpecificGravity);
}
