import { fanningFrictionFactor } from './chen-friction-factor.ts';

/** psi per (lbm/ft³ · ft) of liquid column: g/gc · 1/144 in oilfield units. */
const PSI_PER_LBM_FT3_FT = 1 / 144;
const GC_LBM_FT_PER_LBF_S2 = 32.17;
const WATER_DENSITY_LBM_PER_FT3 = 62.4;
const FT3_PER_BBL = 5.615;
const SECONDS_PER_DAY = 86_400;
/** cp → lbm/(ft·s). */
const LBM_PER_FT_S_PER_CP = 6.7197e-4;
export const ATMOSPHERE_PSI = 14.7;

/**
 * The vertical lift curve used for nodal analysis: the bottom-hole pressure a well
 * needs to lift `liquidRateBbld` to the surface against its wellhead pressure.
 *
 * What it models: steady single-phase liquid flow in the tubing (Guo, Lyons &
 * Ghalambor, Petroleum Production Engineering, 2007, section 4.2, eq. 4.3): the
 * hydrostatic column of a no-slip oil–water mixture over the true vertical depth, plus
 * Darcy–Weisbach friction with Chen's Fanning factor over the measured depth, minus
 * the pressure an ESP adds (taken as constant at the operating point).
 *
 *   pwf = p_wh + ρ_L g TVD / (144 g_c) + 2 f ρ_L u² MD / (144 g_c D) − Δp_pump
 *
 * What it neglects: free gas (below the bubble point gas lightens the column, so
 * this over-predicts the pressure needed: conservative for natural flow), slip
 * between oil and water, acceleration, temperature and pressure effects on density
 * and viscosity, and the pump's head–rate curve (a real ESP adds less head at higher
 * rates). Use it to place an operating point, not to design tubing.
 */
export interface LiquidLiftCurve {
  /** Liquid (oil + water) specific gravity, water = 1. */
  liquidSpecificGravity: number;
  liquidViscosityCp: number;
  tubingInnerDiameterIn: number;
  /** Absolute roughness over inner diameter. */
  relativeRoughness: number;
  /** Vertical depth of the mid-perforations (hydrostatic column). */
  trueVerticalDepthFt: number;
  /** Along-hole length of the flow path (friction). */
  measuredDepthFt: number;
  wellheadPressurePsig: number;
  /** Pressure added by a pump at the operating point; 0 for natural flow. */
  pumpDifferentialPressurePsi: number;
}

export const liquidDensityLbmPerFt3 = (specificGravity: number): number => WATER_DENSITY_LBM_PER_FT3 * specificGravity;

export function tubingVelocityFtPerS(rateBbld: number, innerDiameterIn: number): number {
  const diameterFt = innerDiameterIn / 12;
  return (rateBbld * FT3_PER_BBL) / SECONDS_PER_DAY / ((Math.PI * diameterFt * diameterFt) / 4);
}

export function reynoldsNumber(densityLbmPerFt3: number, velocityFtPerS: number, innerDiameterIn: number, viscosityCp: number): number {
  return (densityLbmPerFt3 * velocityFtPerS * (innerDiameterIn / 12)) / (viscosityCp * LBM_PER_FT_S_PER_CP);
}

/** Pressure drop along a pipe: hydrostatic over `verticalFt` plus friction over `lengthFt` (Guo eq. 4.3, no kinetic term). */
export function liquidPressureDropPsi(input: {
  rateBbld: number;
  specificGravity: number;
  viscosityCp: number;
  innerDiameterIn: number;
  relativeRoughness: number;
  verticalFt: number;
  lengthFt: number;
}): { hydrostaticPsi: number; frictionPsi: number; totalPsi: number } {
  const density = liquidDensityLbmPerFt3(input.specificGravity);
  const hydrostaticPsi = density * input.verticalFt * PSI_PER_LBM_FT3_FT;
  let frictionPsi = 0;
  if (input.rateBbld > 0) {
    const velocity = tubingVelocityFtPerS(input.rateBbld, input.innerDiameterIn);
    const f = fanningFrictionFactor(reynoldsNumber(density, velocity, input.innerDiameterIn, input.viscosityCp), input.relativeRoughness);
    frictionPsi = (2 * f * density * velocity * velocity * input.lengthFt) / (GC_LBM_FT_PER_LBF_S2 * (input.innerDiameterIn / 12)) / 144;
  }
  return { hydrostaticPsi, frictionPsi, totalPsi: hydrostaticPsi + frictionPsi };
}

/** Required flowing bottom-hole pressure, absolute, at a liquid rate. Rises with rate (friction). */
export function requiredBottomholePressurePsia(curve: LiquidLiftCurve, liquidRateBbld: number): number {
  const drop = liquidPressureDropPsi({
    rateBbld: Math.max(0, liquidRateBbld),
    specificGravity: curve.liquidSpecificGravity,
    viscosityCp: curve.liquidViscosityCp,
    innerDiameterIn: curve.tubingInnerDiameterIn,
    relativeRoughness: curve.relativeRoughness,
    verticalFt: curve.trueVerticalDepthFt,
    lengthFt: curve.measuredDepthFt,
  });
  return curve.wellheadPressurePsig + ATMOSPHERE_PSI + drop.totalPsi - curve.pumpDifferentialPressurePsi;
}

/** Specific gravity of a stock-tank oil from its API gravity: γ = 141.5 / (131.5 + °API). */
export const oilSpecificGravityFromApi = (apiGravity: number): number => 141.5 / (131.5 + apiGravity);

/** No-slip oil–water mixture gravity at a water cut (fraction of liquid that is water). */
export const mixtureSpecificGravity = (oilSpecificGravity: number, waterSpecificGravity: number, waterCutFraction: number): number =>
  (1 - waterCutFraction) * oilSpecificGravity + waterCutFraction * waterSpecificGravity;
