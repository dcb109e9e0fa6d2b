import { describe, expect, it } from 'vitest';
import { espEfficiency } from './esp-efficiency.ts';
import { espHydraulicHorsepower, HP_PER_BBLD_PSI, totalDynamicHeadFt } from './esp-hydraulic-power.ts';

// No published ESP example with an efficiency computed from measured current was within
// reach; these are hand calculations, each step written out.
describe('ESP hydraulic horsepower and efficiency', () => {
  it('converts bbl/d · psi to hp with the pump-handbook constant (gpm · psi / 1714)', () => {
    // 1 bbl/d = 42 / 1,440 gpm = 0.0291667 gpm, so bbl/d · psi / 1714 · 0.0291667 = 1.7017e-5;
    // from first principles 5.615 · 144 / (86,400 · 550) = 1.70152e-5.
    expect(HP_PER_BBLD_PSI).toBeCloseTo(1.70152e-5, 9);
    expect(HP_PER_BBLD_PSI / (42 / 1440 / 1714)).toBeCloseTo(1, 3);
    // 1,000 bbl/d through a 1,750 psi rise: 1,000 · 1,750 · 1.70152e-5 = 29.777 hp.
    expect(espHydraulicHorsepower(1000, 1750)).toBeCloseTo(29.777, 3);
    expect(espHydraulicHorsepower(0, 1750)).toBe(0);
  });

  it('expresses the pressure rise as head of the pumped liquid', () => {
    // 1,750 psi of a 0.9577 liquid: 1,750 / (0.433333 · 0.9577) = 4,216.8 ft.
    expect(totalDynamicHeadFt(1750, 0.9577)).toBeCloseTo(4216.8, 0);
    // Fresh water: 2.31 ft per psi, the rule of thumb.
    expect(totalDynamicHeadFt(1, 1)).toBeCloseTo(2.31, 2);
  });

  it('computes pump and system efficiency from current, frequency and the nameplate, by hand', () => {
    // 1,000 bbl/d, intake 900, discharge 2,650 psig → Δp 1,750 psi → HHP 29.777 hp.
    // Motor 760 V at 60 Hz on a constant V/Hz drive at 55 Hz → 696.67 V; 43 A; PF 0.86:
    //   input = √3 · 696.67 · 43 · 0.86 / 1000 = 44.622 kW = 59.840 hp
    //   brake = 59.840 · 0.85 = 50.864 hp; pump efficiency 29.777 / 50.864 = 0.5854; system 29.777 / 59.840 = 0.4976.
    const e = espEfficiency({
      liquidRateBbld: 1000,
      intakePressurePsi: 900,
      dischargePressurePsi: 2650,
      motorCurrentA: 43,
      frequencyHz: 55,
      motor: { ratedVoltageV: 760, ratedFrequencyHz: 60, powerFactor: 0.86, efficiencyFraction: 0.85 },
    });
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
