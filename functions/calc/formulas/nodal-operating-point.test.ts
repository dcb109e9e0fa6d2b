import { describe, expect, it } from 'vitest';
import { brentRoot } from './brent-root.ts';
import { compositeIpr } from './composite-ipr.ts';
import { liquidPressureDropPsi, requiredBottomholePressurePsia } from './liquid-lift-curve.ts';
import { nodalOperatingPoint } from './nodal-operating-point.ts';

// No published worked example pairs these two curves: the textbook nodal examples we found
// (Guo, Lyons & Ghalambor 2007, Example Problems 6.1–6.8, known to us through the descriptions in
// a Python reproduction of them) use multiphase lift correlations (Poettmann–Carpenter,
// Hagedorn–Brown, Guo–Ghalambor) or gas wells, and others read their lift curves off gradient
// charts. So the operating point is checked by hand below. Its two halves are checked
// against published numbers elsewhere: the inverse Vogel the solver calls (pressureAt) in
// vogel-ipr.test.ts, the single-phase lift curve's intermediates (Guo et al. Example Problem 4.1)
// in liquid-lift-curve.test.ts.
const water = {
  liquidSpecificGravity: 1,
  liquidViscosityCp: 1,
  tubingInnerDiameterIn: 2.441,
  relativeRoughness: 0,
  trueVerticalDepthFt: 3000,
  measuredDepthFt: 3000,
  wellheadPressurePsig: 185.3,
  pumpDifferentialPressurePsi: 0,
};

describe('nodal operating point', () => {
  it('finds where a straight-line IPR meets the lift curve, by hand', () => {
    // Lift curve at zero rate: 185.3 + 14.7 + 62.4 · 3,000 / 144 = 1,500 psia. IPR: q = 1 · (2,000 − pwf).
    // Without friction they meet at q = 500 stb/d; friction moves the point to a slightly lower
    // rate q* where 2,000 − q* = 1,500 + friction(q*), i.e. 500 − q* = friction(q*).
    // At q* = 497.416 stb/d in 2.441-in tubing (A = 0.032498 ft²): u = 497.416 · 5.615 / 86,400 / A
    // = 0.99470 ft/s; NRe = 62.4 · 0.99470 · 0.203417 / 6.7197e-4 = 18,789; Chen, smooth: f = 0.0065725;
    // friction = 2 f ρ u² L / (g_c D · 144) = 2 · 0.0065725 · 62.4 · 0.98943 · 3,000 / (32.17 · 0.203417 · 144)
    // = 2.584 psi = 500 − 497.416. ✓
    const ipr = compositeIpr({ reservoirPressurePsia: 2000, bubblePointPressurePsia: 0, productivityIndexStbdPerPsi: 1 });
    expect(requiredBottomholePressurePsia(water, 0)).toBeCloseTo(1500, 9);
    const point = nodalOperatingPoint(ipr, water, 0);
    if (!point.flows) throw new Error(point.reason);
    const friction = liquidPressureDropPsi({
      rateBbld: point.oilRateStbd,
      specificGravity: 1,
      viscosityCp: 1,
      innerDiameterIn: 2.441,
      relativeRoughness: 0,
      verticalFt: 0,
      lengthFt: 3000,
    }).frictionPsi;
    expect(500 - point.oilRateStbd).toBeCloseTo(friction, 4);
    expect(point.oilRateStbd).toBeCloseTo(497.416, 3);
    expect(point.flowingBottomholePressurePsia).toBeCloseTo(2000 - point.oilRateStbd, 6);
    expect(point.pumpedOff).toBe(false);
  });

  it('lies on both curves for a composite IPR with water', () => {
    const ipr = compositeIpr({ reservoirPressurePsia: 2150, bubblePointPressurePsia: 1650, productivityIndexStbdPerPsi: 0.8 });
    const lift = {
      ...water,
      liquidSpecificGravity: 0.9577,
      trueVerticalDepthFt: 4900,
      measuredDepthFt: 5100,
      wellheadPressurePsig: 880,
      pumpDifferentialPressurePsi: 1750,
    };
    const point = nodalOperatingPoint(ipr, lift, 0.5);
    if (!point.flows) throw new Error(point.reason);
    expect(point.liquidRateBbld).toBeCloseTo(point.oilRateStbd * 2, 9);
    expect(ipr.rateAt(point.flowingBottomholePressurePsia)).toBeCloseTo(point.oilRateStbd, 4);
    expect(requiredBottomholePressurePsia(lift, point.liquidRateBbld)).toBeCloseTo(point.flowingBottomholePressurePsia, 3);
    expect(point.flowingBottomholePressurePsia).toBeLessThan(1650); // below the bubble point: the Vogel branch
  });

  it('says the well cannot flow when the lift curve starts above the reservoir pressure', () => {
    const ipr = compositeIpr({ reservoirPressurePsia: 1400, bubblePointPressurePsia: 0, productivityIndexStbdPerPsi: 1 });
    const point = nodalOperatingPoint(ipr, water, 0);
    expect(point).toEqual({
      flows: false,
      reason: expect.stringMatching(/needs 1500 psia .* reservoir pressure 1400 psia: the well cannot flow/),
    });
  });

  it('reports a pumped-off well when the pump could take more than the reservoir gives', () => {
    const ipr = compositeIpr({ reservoirPressurePsia: 2000, bubblePointPressurePsia: 0, productivityIndexStbdPerPsi: 0.1 });
    const point = nodalOperatingPoint(ipr, { ...water, pumpDifferentialPressurePsi: 1700 }, 0);
    expect(point).toMatchObject({ flows: true, oilRateStbd: 200, flowingBottomholePressurePsia: 0, pumpedOff: true });
  });
});

describe("Brent's root finder", () => {
  it('finds known roots to the tolerance asked and refuses an interval without a sign change', () => {
    expect(brentRoot((x) => x * x - 2, 0, 2, { tolerance: 1e-12 })).toBeCloseTo(Math.SQRT2, 11);
    expect(brentRoot((x) => Math.cos(x) - x, 0, 1, { tolerance: 1e-12 })).toBeCloseTo(0.7390851332151607, 11);
    expect(brentRoot((x) => x - 3, 3, 5)).toBe(3);
    expect(() => brentRoot((x) => x * x + 1, -1, 1)).toThrow(/does not bracket a root/);
  });
});
