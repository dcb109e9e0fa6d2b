import { describe, expect, it } from 'vitest';
import { backCalculateFriction, buoyancyFactor, type StringModel, steelDensityPpg, torqueAndDrag } from './torque-drag.ts';

// Source of every formula below: Johancsik, Friesen & Dawson (1984), SPE 11380, eqs. 1–3:
//   N = sqrt((F·Δφ·sin ᾱ)² + (F·Δα + W·sin ᾱ)²),  ΔF = W·cos ᾱ ± μ·N,  ΔM = μ·N·r,
// worked from the bit (F = 0 off bottom) up, Δα and Δφ taken from the lower to the upper station.
// Buoyancy factor BF = 1 − ρ_mud/ρ_steel, ρ_steel = 65.5 ppg (API RP 7G); 13.1 ppg mud gives BF = 0.8 exactly.

const drillPipe = { name: 'drill pipe', weightLbPerFt: 20, odIn: 5, idIn: 4.276, toolJointOdIn: 6.5 };

describe('torque and drag, soft string', () => {
  it('reduces to the buoyed weight in a vertical well, whatever the friction: W_b = W_air × (1 − ρ_mud/ρ_steel)', () => {
    const model: StringModel = {
      survey: [
        { mdFt: 0, inclinationDeg: 0, azimuthDeg: 0 },
        { mdFt: 10_000, inclinationDeg: 0, azimuthDeg: 0 },
      ],
      sections: [{ name: 'drill pipe', weightLbPerFt: 19.5, odIn: 5, idIn: 4.276 }],
      mudWeightPpg: 10,
      blockWeightLbf: 0,
    };
    const buoyed = 19.5 * 10_000 * (1 - 10 / steelDensityPpg); // 195,000 lbf × 0.847328 = 165,229.0 lbf
    expect(buoyancyFactor(10)).toBeCloseTo(0.847328, 6);
    for (const mu of [0, 0.2, 0.5]) {
      const loads = torqueAndDrag(model, 10_000, mu);
      expect(loads.trippingOutLbf).toBeCloseTo(buoyed, 6);
      expect(loads.trippingInLbf).toBeCloseTo(buoyed, 6);
      expect(loads.rotatingLbf).toBeCloseTo(buoyed, 6);
      expect(loads.rotatingTorqueFtLbf).toBeCloseTo(0, 9);
    }
    expect(buoyed).toBeCloseTo(165_229.0, 1);
  });

  it('a straight hole held at 60°: one element, worked by hand', () => {
    // 1,000 ft of 20 lb/ft at 60° from surface, 13.1 ppg (BF 0.8), μ = 0.25, contact at the 6.5 in tool joints.
    //   W = 20 × 0.8 × 1,000 = 16,000 lbf;  Δα = Δφ = 0;  F at the bit = 0
    //   N = sqrt(0² + (0 + 16,000 × sin 60°)²) = 13,856.41 lbf;  μN = 3,464.10 lbf
    //   W cos 60° = 8,000 lbf
    //   pick-up   = 8,000 + 3,464.10 = 11,464.10 lbf
    //   slack-off = 8,000 − 3,464.10 =  4,535.90 lbf
    //   rotating  = 8,000 lbf;  torque = μN × r = 3,464.10 × (6.5/24 ft) = 938.19 ft·lbf
    const model: StringModel = {
      survey: [
        { mdFt: 0, inclinationDeg: 60, azimuthDeg: 0 },
        { mdFt: 1_000, inclinationDeg: 60, azimuthDeg: 0 },
      ],
      sections: [drillPipe],
      mudWeightPpg: 13.1,
      blockWeightLbf: 0,
    };
    const loads = torqueAndDrag(model, 1_000, 0.25);
    expect(loads.trippingOutLbf).toBeCloseTo(11_464.1, 1);
    expect(loads.trippingInLbf).toBeCloseTo(4_535.9, 1);
    expect(loads.rotatingLbf).toBeCloseTo(8_000, 1);
    expect(loads.rotatingTorqueFtLbf).toBeCloseTo(938.19, 1);
  });

  // Vertical to 1,000 ft, built to 30° at 2,000 ft (azimuth 0°), built and turned to 60°/40° at
  // 3,000 ft, held to the bit at 4,000 ft. String, bit up: 500 ft of 80 lb/ft collars (6.5 in OD,
  // contact at the body), then drill pipe as above. 13.1 ppg (BF 0.8), μ = 0.2, r = 6.5/24 ft.
  // Elements, bit up (W = buoyed lb/ft × length):
  //   E1 4,000→3,500 collars   W = 64 × 500 = 32,000   ᾱ 60°  Δα 0     Δφ 0
  //   E2 3,500→3,000 pipe      W = 16 × 500 =  8,000   ᾱ 60°  Δα 0     Δφ 0
  //   E3 3,000→2,000 pipe      W = 16,000              ᾱ 45°  Δα −30°  Δφ −40° (−0.69813 rad)
  //   E4 2,000→1,000 pipe      W = 16,000              ᾱ 15°  Δα −30° (−0.52360 rad)  Δφ 0
  //   E5 1,000→0     pipe      W = 16,000              ᾱ 0°   vertical: N = 0, ΔF = W
  const buildAndTurn: StringModel = {
    survey: [
      { mdFt: 0, inclinationDeg: 0, azimuthDeg: 0 },
      { mdFt: 1_000, inclinationDeg: 0, azimuthDeg: 0 },
      { mdFt: 2_000, inclinationDeg: 30, azimuthDeg: 0 },
      { mdFt: 3_000, inclinationDeg: 60, azimuthDeg: 40 },
      { mdFt: 4_000, inclinationDeg: 60, azimuthDeg: 40 },
    ],
    sections: [{ name: 'collars', lengthFt: 500, weightLbPerFt: 80, odIn: 6.5, idIn: 2.8125 }, drillPipe],
    mudWeightPpg: 13.1,
    blockWeightLbf: 0,
  };

  it('a build-and-turn well, pick-up worked by hand element by element', () => {
    // Tripping out (ΔF = W cos ᾱ + μN):
    //   E1 N = 32,000 sin 60° = 27,712.8;  F = 0 + 16,000.0 + 5,542.6 = 21,542.6
    //   E2 N =  8,000 sin 60° =  6,928.2;  F = 21,542.6 + 4,000.0 + 1,385.6 = 26,928.2
    //   E3 F·Δφ·sin ᾱ = 26,928.2 × −0.69813 × 0.70711 = −13,293.2
    //      F·Δα + W sin ᾱ = 26,928.2 × −0.52360 + 11,313.7 = −14,099.6 + 11,313.7 = −2,785.9
    //      N = sqrt(13,293.2² + 2,785.9²) = 13,582.0;  F = 26,928.2 + 11,313.7 + 2,716.4 = 40,958.3
    //   E4 F·Δα + W sin ᾱ = 40,958.3 × −0.52360 + 4,141.1 = −17,304.6 → N = 17,304.6
    //      F = 40,958.3 + 15,454.8 + 3,460.9 = 59,874.0
    //   E5 F = 59,874.0 + 16,000 = 75,874.0 lbf at the hook
    // Tripping in (− μN), the same steps: E1 10,457.4; E2 13,071.8; E3 N 7,849.5 → 22,815.6;
    //   E4 N 7,805.1 → 36,709.4; E5 → 52,709.4 lbf
    // Rotating (ΔF = W cos ᾱ, ΔM = μN·r): F 16,000.0; 20,000.0; E3 N 9,908.9 → 31,313.7;
    //   E4 N 12,254.7 → 46,768.5; E5 → 62,768.5 lbf
    //   torque = 0.2 × (27,712.8 + 6,928.2 + 9,908.9 + 12,254.7) × 0.270833 = 3,076.9 ft·lbf
    const loads = torqueAndDrag(buildAndTurn, 4_000, 0.2);
    expect(loads.trippingOutLbf).toBeCloseTo(75_874.0, 0);
    expect(loads.trippingInLbf).toBeCloseTo(52_709.4, 0);
    expect(loads.rotatingLbf).toBeCloseTo(62_768.5, 0);
    expect(loads.rotatingTorqueFtLbf).toBeCloseTo(3_076.9, 0);
    // Rotating off bottom carries no axial friction: W cos ᾱ summed, 16,000 + 4,000 + 11,313.7 + 15,454.8 + 16,000.
    expect(loads.rotatingLbf).toBeCloseTo(16_000 + 4_000 + 11_313.7 + 15_454.8 + 16_000, 0);
  });

  it('back-calculates the friction factor a measurement implies, in each mode', () => {
    // The loads at μ = 0.2 (above), given back as measurements, give μ = 0.2 again.
    const block = 35_000;
    const model = { ...buildAndTurn, blockWeightLbf: block };
    const out = backCalculateFriction(model, 4_000, { mode: 'tripping-out', hookLoadLbf: 75_874.0 + block });
    const into = backCalculateFriction(model, 4_000, { mode: 'tripping-in', hookLoadLbf: 52_709.4 + block });
    const rotating = backCalculateFriction(model, 4_000, { mode: 'rotating', torqueFtLbf: 3_076.9 });
    for (const r of [out, into, rotating]) expect('frictionFactor' in r && r.frictionFactor).toBeCloseTo(0.2, 4);
    // A heavier pick-up means more friction: the trend the function reports.
    const heavier = backCalculateFriction(model, 4_000, { mode: 'tripping-out', hookLoadLbf: 80_000 + block });
    expect('frictionFactor' in heavier && heavier.frictionFactor).toBeGreaterThan(0.2);
  });

  it('says why no friction factor fits a measurement', () => {
    const below = backCalculateFriction(buildAndTurn, 4_000, { mode: 'tripping-out', hookLoadLbf: 50_000 });
    expect(below).toEqual({ reason: expect.stringMatching(/below the frictionless \d+ lbf/) });
    const vertical = backCalculateFriction(
      {
        ...buildAndTurn,
        survey: [
          { mdFt: 0, inclinationDeg: 0, azimuthDeg: 0 },
          { mdFt: 5_000, inclinationDeg: 0, azimuthDeg: 0 },
        ],
      },
      4_000,
      { mode: 'rotating', torqueFtLbf: 2_000 },
    );
    expect(vertical).toEqual({ reason: expect.stringContaining('no side force') });
    expect(() => torqueAndDrag(buildAndTurn, 4_500, 0.2)).toThrow(/below the last survey station \(4000 ft\)/);
  });
});
