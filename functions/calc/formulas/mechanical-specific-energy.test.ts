import { describe, expect, it } from 'vitest';
import { mechanicalSpecificEnergy } from './mechanical-specific-energy.ts';

describe('mechanical specific energy (Teale 1965)', () => {
  // No textbook or paper example of MSE with its numbers was reachable: Teale (1965) worked in
  // laboratory units on rock samples, Dupriest & Koederitz (SPE 92194, 2005) and Samuel, "501 Solved
  // Problems and Calculations for Drilling Operations" (2015, p. 415) could not be read here. The
  // published example below is a web article; the real checks are the hand calculation and Teale's
  // definition evaluated in SI units, which does not use the 120π field-unit constant at all.
  const example = {
    weightOnBitLbf: 35_000,
    rotarySpeedRpm: 120,
    torqueFtLbf: 4500,
    rateOfPenetrationFtPerHour: 50,
    bitDiameterIn: 8.5,
  };

  it('reproduces the worked example of "How to Calculate Mechanical Specific Energy (MSE) in Drilling" (calculator5.snowdaycalculatornow.com, March 2026), a web article', () => {
    // WOB 35,000 lbf, 8.5-in bit (A = 56.75 in²), 120 rpm, 4,500 ft·lbf, 50 ft/h → "MSE is ~72,357 psi".
    const mse = mechanicalSpecificEnergy(example);
    expect(mse.mechanicalSpecificEnergyPsi / 72_357).toBeCloseTo(1, 3);
    // By hand: A = π 8.5² / 4 = 56.745 in²; axial = 35,000 / 56.745 = 616.79 psi;
    // rotary = 120 π · 120 · 4,500 / (56.745 · 50) = 203,575,204 / 2,837.25 = 71,750.87 psi; total 72,367.66 psi.
    expect(mse.bitAreaIn2).toBeCloseTo(56.745, 3);
    expect(mse.axialPsi).toBeCloseTo(616.79, 2);
    expect(mse.rotaryPsi).toBeCloseTo(71_750.87, 1);
    expect(mse.mechanicalSpecificEnergyPsi).toBeCloseTo(72_367.66, 1);
  });

  it("agrees with Teale's definition e = F/A + 2πNT/(A·u) evaluated in SI units", () => {
    // Teale (1965): work per volume = thrust over area plus rotary work per revolution times
    // revolutions per unit time over the volume drilled per unit time. In SI every term is in Pa.
    const newtons = example.weightOnBitLbf * 4.4482216152605;
    const diameterM = example.bitDiameterIn * 0.0254;
    const areaM2 = (Math.PI * diameterM * diameterM) / 4;
    const revPerS = example.rotarySpeedRpm / 60;
    const torqueNm = example.torqueFtLbf * 1.3558179483314;
    const ropMPerS = (example.rateOfPenetrationFtPerHour * 0.3048) / 3600;
    const pascals = newtons / areaM2 + (2 * Math.PI * revPerS * torqueNm) / (areaM2 * ropMPerS);
    const psi = pascals / 6894.757293168;
    expect(mechanicalSpecificEnergy(example).mechanicalSpecificEnergyPsi / psi).toBeCloseTo(1, 9);
  });

  it('is only the axial term without rotation, and undefined off bottom', () => {
    const sliding = mechanicalSpecificEnergy({
      weightOnBitLbf: 20_000,
      rotarySpeedRpm: 0,
      torqueFtLbf: 0,
      rateOfPenetrationFtPerHour: 30,
      bitDiameterIn: 8.5,
    });
    expect(sliding.mechanicalSpecificEnergyPsi).toBeCloseTo(20_000 / 56.745, 2);
    expect(() =>
      mechanicalSpecificEnergy({ weightOnBitLbf: 1, rotarySpeedRpm: 1, torqueFtLbf: 1, rateOfPenetrationFtPerHour: 0, bitDiameterIn: 8.5 }),
    ).toThrow(/rate of penetration above 0 ft\/h, got 0\): off bottom it is undefined/);
    expect(() =>
      mechanicalSpecificEnergy({
        weightOnBitLbf: -1,
        rotarySpeedRpm: 1,
        torqueFtLbf: 1,
        rateOfPenetrationFtPerHour: 10,
        bitDiameterIn: 8.5,
      }),
    ).toThrow(/weight on bit cannot be negative/);
  });
});
