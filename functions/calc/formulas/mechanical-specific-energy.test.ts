import { describe, expect, it } from 'vitest';
import { mechanicalSpecificEnergy } from './mechanical-specific-energy.ts';

describe('mechanical specific energy (Teale 1965)', () => {
  it('reproduces the worked example of "How to Calculate Mechanical Specific Energy (MSE) in Drilling" (calculator5.snowdaycalculatornow.com, March 2026)', () => {
    // WOB 35,000 lbf, 8.5-in bit (A = 56.75 in²), 120 rpm, 4,500 ft·lbf, 50 ft/h → "MSE is ~72,357 psi".
    // No textbook example with its numbers was within reach; this one is a web article, and the
    // hand calculation below is the real check.
    const mse = mechanicalSpecificEnergy({
      weightOnBitLbf: 35_000,
      rotarySpeedRpm: 120,
      torqueFtLbf: 4500,
      rateOfPenetrationFtPerHour: 50,
      bitDiameterIn: 8.5,
    });
    expect(mse.mechanicalSpecificEnergyPsi / 72_357).toBeCloseTo(1, 3);
    // By hand: A = π 8.5² / 4 = 56.745 in²; axial = 35,000 / 56.745 = 616.79 psi;
    // rotary = 120 π · 120 · 4,500 / (56.745 · 50) = 203,575,204 / 2,837.25 = 71,750.87 psi; total 72,367.66 psi.
    expect(mse.bitAreaIn2).toBeCloseTo(56.745, 3);
    expect(mse.axialPsi).toBeCloseTo(616.79, 2);
    expect(mse.rotaryPsi).toBeCloseTo(71_750.87, 1);
    expect(mse.mechanicalSpecificEnergyPsi).toBeCloseTo(72_367.66, 1);
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
