import { describe, expect, it } from 'vitest';
import { espEfficiency } from './esp-efficiency.ts';
import { espHydraulicHorsepower, HP_PER_BBLD_PSI, totalDynamicHeadFt } from './esp-hydraulic-power.ts';

/** 1 US gpm = 1,440 / 42 bbl/d. */
const BBLD_PER_GPM = 1440 / 42;

describe('ESP hydraulic horsepower and efficiency', () => {
  it('converts bbl/d · psi to hp with the pump-handbook constant (gpm · psi / 1714)', () => {
    // Unit identity, not an example: 1 bbl/d · 1 psi = 5.615 ft³ · 144 lbf/ft² per 86,400 s, and
    // 1 hp = 550 ft·lbf/s, so 5.615 · 144 / (86,400 · 550) = 1.70152e-5 hp; the handbook's
    // gpm · psi / 1714 with 1 bbl/d = 42 / 1,440 gpm gives 1.7017e-5.
    expect(HP_PER_BBLD_PSI).toBeCloseTo(1.70152e-5, 9);
    expect(HP_PER_BBLD_PSI / (42 / 1440 / 1714)).toBeCloseTo(1, 3);
    expect(espHydraulicHorsepower(0, 1750)).toBe(0);
  });

  // Published worked example: Jason D. Fletcher, PE, "How to Read Pump Curves & What They Mean",
  // Zoeller Company technical brief (undated web page, zoeller.com/zep/techbrief/JF1article.htm).
  // A centrifugal pump (a submersible sewage pump, not an ESP, but the power chain is the same)
  // at its design point of 320 gpm and 22 ft TDH of water draws 3.4 kW; motor efficiency 0.737.
  // The page's solution:
  //   motor input EHp = 3.4 · 1.341 = 4.56 hp;  brake BHp = 0.737 · 4.56 = 3.36 hp;
  //   hydraulic WHp = 22 · 320 / 3960 = 1.78 hp;  total efficiency 1.78 / 4.56 = 39.0 %;
  //   pump efficiency 1.78 / 3.36 = 53.0 %.
  // Our inputs are oilfield units: 320 gpm = 320 · 1,440 / 42 = 10,971.4 bbl/d, and 22 ft of
  // water = 22 · 0.43333 = 9.5333 psi (the head → pressure of totalDynamicHeadFt, SG 1).
  const rateBbld = 320 * BBLD_PER_GPM;
  const riseOf22FtWaterPsi = (22 * 62.4) / 144;

  it('reproduces the hydraulic horsepower of Fletcher (Zoeller): 320 gpm through 22 ft of water is 1.78 hp', () => {
    expect(totalDynamicHeadFt(riseOf22FtWaterPsi, 1)).toBeCloseTo(22, 9);
    // 10,971.4 · 9.5333 · 1.70152e-5 = 1.7797 hp; the page's 1.78 (its gpm · ft / 3960 uses
    // 62.34 lbm/ft³ water against our 62.4, a 0.1 % difference).
    expect(espHydraulicHorsepower(rateBbld, riseOf22FtWaterPsi)).toBeCloseTo(1.78, 2);
  });

  it('reproduces the efficiency chain of Fletcher (Zoeller): input 4.56 hp, brake 3.36 hp, pump 53.0 %, total 39.0 %', () => {
    // The page reads input power off a meter (3.4 kW); espEfficiency computes it from the
    // nameplate voltage, the measured current and the power factor (√3 V I PF), so this test
    // feeds a 460 V three-phase motor at its rated frequency with PF 1 and the current that
    // draws the published 3.4 kW: I = 3,400 / (√3 · 460) = 4.2674 A. Only the 3.4 kW product
    // comes from the page; the split into V, I and PF is ours.
    const e = espEfficiency({
      liquidRateBbld: rateBbld,
      intakePressurePsi: 0,
      dischargePressurePsi: riseOf22FtWaterPsi,
      motorCurrentA: 3400 / (Math.sqrt(3) * 460),
      frequencyHz: 60,
      motor: { ratedVoltageV: 460, ratedFrequencyHz: 60, powerFactor: 1, efficiencyFraction: 0.737 },
    });
    expect(e.motorInputHp).toBeCloseTo(4.56, 2); // 3.4 kW / 0.7457 = 4.5595 hp
    expect(e.pumpBrakeHorsepowerHp).toBeCloseTo(3.36, 2); // 0.737 · 4.5595 = 3.3603 hp
    expect(e.hydraulicHorsepowerHp).toBeCloseTo(1.78, 2);
    expect(e.pumpEfficiencyFraction).toBeCloseTo(0.53, 2); // 1.7797 / 3.3603 = 0.5296
    expect(e.systemEfficiencyFraction).toBeCloseTo(0.39, 2); // 1.7797 / 4.5595 = 0.3903
  });

  it('expresses the pressure rise as head of the pumped liquid', () => {
    // 1,750 psi of a 0.9577 liquid: 1,750 / (0.433333 · 0.9577) = 4,216.8 ft.
    expect(totalDynamicHeadFt(1750, 0.9577)).toBeCloseTo(4216.8, 0);
    // Fresh water: 2.31 ft per psi, the rule of thumb.
    expect(totalDynamicHeadFt(1, 1)).toBeCloseTo(2.31, 2);
  });

  it('scales the motor voltage with frequency on a constant V/Hz drive, by hand', () => {
    // No published example with a variable-speed drive was found; this one is worked by hand.
    // 1,000 bbl/d, intake 900, discharge 2,650 psig → Δp 1,750 psi → HHP 1,000 · 1,750 · 1.70152e-5 = 29.777 hp.
    // Motor 760 V at 60 Hz on a constant V/Hz drive at 55 Hz → 760 · 55 / 60 = 696.67 V; 43 A; PF 0.86:
    //   input = √3 · 696.67 · 43 · 0.86 / 1000 = 44.622 kW = 44.622 / 0.7457 = 59.840 hp
    //   brake = 59.840 · 0.85 = 50.864 hp; pump efficiency 29.777 / 50.864 = 0.5854; system 29.777 / 59.840 = 0.4976.
    const e = espEfficiency({
      liquidRateBbld: 1000,
      intakePressurePsi: 900,
      dischargePressurePsi: 2650,
      motorCurrentA: 43,
      frequencyHz: 55,
      motor: { ratedVoltageV: 760, ratedFrequencyHz: 60, powerFactor: 0.86, efficiencyFraction: 0.85 },
    });
    expect(e.hydraulicHorsepowerHp).toBeCloseTo(29.777, 3);
    expect(e.motorVoltageV).toBeCloseTo(696.67, 2);
    expect(e.motorInputHp).toBeCloseTo(59.84, 2);
    expect(e.pumpBrakeHorsepowerHp).toBeCloseTo(50.864, 2);
    expect(e.pumpEfficiencyFraction).toBeCloseTo(0.5854, 4);
    expect(e.systemEfficiencyFraction).toBeCloseTo(0.4976, 4);
  });

  it('refuses a stopped motor', () => {
    const motor = { ratedVoltageV: 760, ratedFrequencyHz: 60, powerFactor: 0.86, efficiencyFraction: 0.85 };
    expect(() =>
      espEfficiency({ liquidRateBbld: 0, intakePressurePsi: 900, dischargePressurePsi: 900, motorCurrentA: 0, frequencyHz: 0, motor }),
    ).toThrow(/the motor must be running/);
  });
});
