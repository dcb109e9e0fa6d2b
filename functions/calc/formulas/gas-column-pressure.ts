/**
 * Pressure at depth in a static column of gas (the casing–tubing annulus of a gas-lift
 * well): integrating dp/dz = ρ_g = p · 28.97 γ_g / (z R T) with constant average z and
 * T gives
 *
 *   p(D) = p_surface · exp(0.01875 γ_g D / (z̄ T̄))
 *
 * D in ft, T̄ in °R, 0.01875 = 28.97 / (10.73 · 144). The static gas column equation
 * of gas-lift design (e.g. Guo, Lyons & Ghalambor 2007, chapter on gas lift; Brown,
 * The Technology of Artificial Lift Methods, vol. 2a, 1980). Neglects friction of the
 * injected gas (small at gas-lift rates) and the variation of z and T with depth.
 */
export function gasColumnPressurePsia(input: {
  surfacePressurePsia: number;
  gasSpecificGravity: number;
  depthFt: number;
  averageZFactor: number;
  averageTemperatureDegF: number;
}): number {
  const temperatureDegR = input.averageTemperatureDegF + 459.67;
  if (!(temperatureDegR > 0 && input.averageZFactor > 0))
    throw new RangeError('average temperature and z-factor must be physical (T > 0 °R, z > 0)');
  return (
    input.surfacePressurePsia * Math.exp((0.01875 * input.gasSpecificGravity * input.depthFt) / (input.averageZFactor * temperatureDegR))
  );
}
