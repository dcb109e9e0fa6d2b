import { describe, expect, it } from 'vitest';
import { panelLines } from './calculation-panels.ts';

const header = { timestamp: 1, calculatedAt: 2, deviceId: 'rtu-1', inputQuality: 'good' as const };

describe('panelLines', () => {
  it('reads an MSE result in rig units (klbf, kft·lbf)', () => {
    const lines = panelLines({
      ...header,
      kind: 'mse',
      mechanicalSpecificEnergyPsi: 38_250.4,
      axialComponentPsi: 440.7,
      rotaryComponentPsi: 37_809.7,
      weightOnBitLbf: 25_000,
      rotarySpeedRpm: 120,
      surfaceTorqueFtLbf: 12_000,
      rateOfPenetrationFtPerHour: 60,
    });
    expect(lines).toEqual([
      ['MSE', '38,250 psi'],
      ['Axial · rotary', '441 psi · 37,810 psi'],
      ['Weight on bit', '25 klbf'],
      ['Rotary speed · torque', '120 rpm · 12 kft·lbf'],
      ['Rate of penetration', '60 ft/h'],
    ]);
  });

  it('says why gas cannot enter the tubing when there is no point of balance', () => {
    const lines = panelLines({
      ...header,
      kind: 'gas-lift',
      oilRateStbd: 300,
      liquidRateBbld: 430,
      injectionRateMscfd: 500,
      surfaceInjectionPressurePsig: 900,
      requiredInjectionRateMscfd: 650,
      totalGasLiquidRatioScfPerBbl: 1400,
      targetGasLiquidRatioScfPerBbl: 1800,
      injectionReason: 'casing pressure at depth is below the tubing pressure at every depth',
      operatingValveDepthFtTvd: 5200,
      operatingValveCanInject: false,
    });
    expect(lines).toContainEqual(['Point of balance', 'casing pressure at depth is below the tubing pressure at every depth']);
    expect(lines).toContainEqual(['Operating valve', '5,200 ft TVD · cannot inject: lifting from a shallower valve']);
  });

  it('shows a missing field as a dash rather than NaN', () => {
    expect(panelLines({ ...header, kind: 'esp', oilRateStbd: 480 })[1]).toEqual(['Liquid rate', '—']);
  });
});
