import { describe, expect, it } from 'vitest';
import { gasColumnPressurePsia } from './gas-column-pressure.ts';
import { gasLiftInjectionDepthFt, gasLiftInjectionRateMscfd } from './gas-lift-injection.ts';

// No published gas-lift example with visible numbers was within reach (API RP 11V6's example
// problems read gradients off charts); these are hand calculations, each step written out.
describe('gas lift', () => {
  it('gives the pressure at depth of a static gas column, by hand', () => {
    // 1,000 psia at surface, γg 0.65, 6,000 ft, z̄ 0.9, T̄ 120 °F = 579.67 °R:
    // exponent = 0.01875 · 0.65 · 6,000 / (0.9 · 579.67) = 73.125 / 521.703 = 0.140166; e^0.140166 = 1.150465.
    expect(
      gasColumnPressurePsia({
        surfacePressurePsia: 1000,
        gasSpecificGravity: 0.65,
        depthFt: 6000,
        averageZFactor: 0.9,
        averageTemperatureDegF: 120,
      }),
    ).toBeCloseTo(1150.465, 2);
  });

  it('finds the injection point where casing pressure less the valve differential meets the tubing, by hand', () => {
    // Tubing below injection: p_t(D) = 1,500 − 0.35 (6,000 − D). Casing: p_c(D) = 1,000 e^(k D), k = 2.33611e-5.
    // Margin p_c − 100 − p_t = 1,000 e^(kD) + 500 − 0.35 D: +1,500 at the surface, −449.5 at 6,000 ft.
    // At D = 4,610.64: e^(0.107710) = 1.113724 → 1,113.72 + 500 = 1,613.72 and 0.35 · 4,610.64 = 1,613.72.
    const well = {
      surfaceInjectionPressurePsia: 1000,
      gasSpecificGravity: 0.65,
      averageZFactor: 0.9,
      averageTemperatureDegF: 120,
      flowingBottomholePressurePsia: 1500,
      perforationDepthFt: 6000,
      gradientBelowInjectionPsiPerFt: 0.35,
      valveDifferentialPsi: 100,
    };
    const { injectionDepthFt, atPerforations } = gasLiftInjectionDepthFt(well);
    expect(injectionDepthFt).toBeCloseTo(4610.64, 1);
    expect(atPerforations).toBe(false);
    // Enough gas pressure to reach the perforations: inject there.
    expect(gasLiftInjectionDepthFt({ ...well, surfaceInjectionPressurePsia: 1500 })).toEqual({
      injectionDepthFt: 6000,
      atPerforations: true,
    });
    // Too little to enter the tubing at all.
    expect(() => gasLiftInjectionDepthFt({ ...well, surfaceInjectionPressurePsia: 300, flowingBottomholePressurePsia: 2700 })).toThrow(
      /cannot enter the tubing at any depth/,
    );
  });

  it('injects the gas the formation does not supply to reach a target gas–liquid ratio', () => {
    // 800 bbl/d, target GLR 1,200 scf/bbl, formation 300: (1,200 − 300) · 800 / 1,000 = 720 Mscf/d.
    expect(
      gasLiftInjectionRateMscfd({ liquidRateBbld: 800, targetGasLiquidRatioScfPerBbl: 1200, formationGasLiquidRatioScfPerBbl: 300 }),
    ).toBe(720);
    expect(
      gasLiftInjectionRateMscfd({ liquidRateBbld: 800, targetGasLiquidRatioScfPerBbl: 200, formationGasLiquidRatioScfPerBbl: 300 }),
    ).toBe(0);
  });
});
