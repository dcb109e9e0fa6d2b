import { describe, expect, it } from 'vitest';
import { fanningFrictionFactor } from './chen-friction-factor.ts';
import {
  liquidPressureDropPsi,
  mixtureSpecificGravity,
  oilSpecificGravityFromApi,
  requiredBottomholePressurePsia,
  reynoldsNumber,
  tubingVelocityFtPerS,
} from './liquid-lift-curve.ts';

describe('single-phase liquid lift curve', () => {
  // Guo, Lyons & Ghalambor, Petroleum Production Engineering: A Computer-Assisted Approach
  // (Elsevier, 2007), Example Problem 4.1: 1,000 bbl/d of 40 °API, 1.2 cp oil through
  // 2 7/8-in., 8.6-lb/ft tubing (ID 2.259 in.), 15° from vertical, relative roughness 0.001,
  // over 1,000 ft. The book's solution (p. 4/47): γo = 0.825, ρ = 51.57 lbm/ft³ (it multiplies
  // by 62.5), D = 0.188 ft, u = 2.34 ft/s, NRe = 28,115, ΔZ = 966 ft. The friction factor and
  // the final pressure drop were not in the part of the page available to us; they are
  // checked by hand below.
  it('reproduces the intermediate values of Guo et al. (2007) Example Problem 4.1', () => {
    expect(oilSpecificGravityFromApi(40)).toBeCloseTo(0.825, 3);
    const u = tubingVelocityFtPerS(1000, 2.259);
    expect(u / 2.34).toBeCloseTo(1, 2); // 2.335 ft/s, which the book rounds to 2.34
    expect(reynoldsNumber(51.57, u, 2.259, 1.2) / 28_115).toBeCloseTo(1, 3);
    expect(Math.cos((15 * Math.PI) / 180) * 1000).toBeCloseTo(966, 0);
  });

  it('gives the pressure drop of that example, checked by hand', () => {
    // By hand, with ρ = 62.4 · 0.825 = 51.48 lbm/ft³:
    //   hydrostatic = ρ ΔZ / 144 = 51.48 · 965.93 / 144 = 345.32 psi
    //   NRe = 51.48 · 2.3349 · 0.18825 / (1.2 · 6.7197e-4) = 28,062; Chen: f = 0.00659
    //   friction = 2 f ρ u² L / (g_c D · 144) = 2 · 0.00659 · 51.48 · 5.4518 · 1,000 / (32.17 · 0.18825 · 144) = 4.24 psi
    const drop = liquidPressureDropPsi({
      rateBbld: 1000,
      specificGravity: 0.825,
      viscosityCp: 1.2,
      innerDiameterIn: 2.259,
      relativeRoughness: 0.001,
      verticalFt: Math.cos((15 * Math.PI) / 180) * 1000,
      lengthFt: 1000,
    });
    expect(drop.hydrostaticPsi).toBeCloseTo(345.32, 2);
    expect(fanningFrictionFactor(28_062, 0.001)).toBeCloseTo(0.00659, 5);
    expect(drop.frictionPsi).toBeCloseTo(4.24, 2);
    expect(drop.totalPsi).toBeCloseTo(349.56, 2);
  });

  it('uses 16/Re in laminar flow and Chen above Re 2,100', () => {
    expect(fanningFrictionFactor(1000, 0.001)).toBe(0.016);
    // Smooth pipe at Re = 1e5: Colebrook gives a Fanning factor of 0.0045 (Moody chart).
    expect(fanningFrictionFactor(1e5, 0)).toBeCloseTo(0.0045, 4);
    expect(() => fanningFrictionFactor(0, 0.001)).toThrow(/Reynolds number must be above 0/);
  });

  it('needs the hydrostatic column plus wellhead pressure at zero rate, and more as the rate rises', () => {
    const curve = {
      liquidSpecificGravity: mixtureSpecificGravity(oilSpecificGravityFromApi(32), 1.05, 0.5),
      liquidViscosityCp: 1.5,
      tubingInnerDiameterIn: 2.441,
      relativeRoughness: 0.0006,
      trueVerticalDepthFt: 4900,
      measuredDepthFt: 5100,
      wellheadPressurePsig: 880,
      pumpDifferentialPressurePsi: 1750,
    };
    // 0.5 · 0.86544 + 0.5 · 1.05 = 0.95772; 62.4 · 0.95772 · 4,900 / 144 = 2,033.56 psi;
    // 880 + 14.7 + 2,033.56 − 1,750 = 1,178.26 psia.
    expect(requiredBottomholePressurePsia(curve, 0)).toBeCloseTo(1178.26, 1);
    const rates = [0, 250, 500, 1000, 2000];
    const pressures = rates.map((q) => requiredBottomholePressurePsia(curve, q));
    for (let i = 1; i < pressures.length; i++) expect(pressures[i] ?? 0).toBeGreaterThan(pressures[i - 1] ?? 0);
  });
});
