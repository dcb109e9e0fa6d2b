import { describe, expect, it } from 'vitest';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { loadConfig } from './load.ts';
import { indexWellModels, WellModels } from './well-models.ts';

describe('well models', () => {
  it('ships an example that validates, with tag names and settings defaulted', async () => {
    const models = indexWellModels(await loadConfig('well-models', WellModels));
    expect(models.model('norte-01')?.esp?.tags).toEqual({
      oilRate: 'oil_rate',
      frequency: 'esp_frequency',
      motorCurrent: 'esp_motor_current',
      intakePressure: 'esp_intake_pressure',
      dischargePressure: 'esp_discharge_pressure',
    });
    expect(models.model('norte-07')?.drilling).toMatchObject({ deviceId: 'rig-07', bitDiameterIn: 8.5 });
    expect(models.model('norte-04')?.gasLift).toMatchObject({
      deviceId: 'rtu-w04',
      operatingValveDepthFtTvd: 5200,
      tags: {
        oilRate: 'oil_rate',
        producedGasRate: 'gas_rate',
        injectionRate: 'gas_injection_rate',
        casingPressure: 'casing_pressure',
        bottomholePressure: 'bottomhole_pressure',
      },
    });
    expect(models.model('nowhere')).toBeUndefined();
    expect(models.settings).toEqual({
      throttleSeconds: { esp: 10, mse: 5, 'gas-lift': 10 },
      inputMaxSpreadSeconds: 30,
      cacheTtlSeconds: { ipr: 604800, esp: 300, mse: 300, 'gas-lift': 300 },
    });
    expect(indexWellModels(WellModels.parse({ wells: [] })).settings.throttleSeconds).toEqual({ esp: 10, mse: 5, 'gas-lift': 10 });
  });

  it('says which line is wrong and why', () => {
    const text = [
      'wells:',
      '  - wellId: w1',
      '    fluids: { oilApiGravity: 30, waterCutFraction: 1, liquidViscosityCp: 1 }',
      '    completion: { perforationDepthFtTvd: 5000, measuredDepthFt: 4000, tubingInnerDiameterIn: 2.441, wellheadPressurePsig: 100 }',
      '  - wellId: w1',
      '    esp: { deviceId: d, pumpDepthFtTvd: 1, designDifferentialPressurePsi: 1, motor: { ratedPowerHp: 1, ratedVoltageV: 1, ratedCurrentA: 1, powerFactor: 0.8, efficiencyFraction: 0.8 } }',
      '',
    ].join('\n');
    const attempt = () => loadYamlConfig(text, 'well-models.yaml', WellModels);
    expect(attempt).toThrow(/well-models\.yaml:3: wells\.0\.fluids\.waterCutFraction: a water cut of 1 leaves no oil/);
    expect(attempt).toThrow(/well-models\.yaml:4: wells\.0\.completion\.measuredDepthFt: measuredDepthFt is along the hole/);
    expect(attempt).toThrow(/wells\.1\.esp: an ESP model needs fluids/);
    expect(attempt).toThrow(/wells\.1\.wellId: duplicate wellId "w1"/);
  });

  it('refuses a gas-lift model that cannot be computed or cannot exist', () => {
    const gasLift = (valveDepth: number) =>
      `    gasLift: { deviceId: d, operatingValveDepthFtTvd: ${valveDepth}, injectionGasSpecificGravity: 0.7, averageAnnulusTemperatureDegF: 120, targetGasLiquidRatioScfPerBbl: 1000 }`;
    const text = [
      'wells:',
      '  - wellId: bare',
      gasLift(5000),
      '  - wellId: deep-valve',
      '    fluids: { oilApiGravity: 30, waterCutFraction: 0.2, liquidViscosityCp: 1 }',
      '    completion: { perforationDepthFtTvd: 5000, measuredDepthFt: 5000, tubingInnerDiameterIn: 2.441, wellheadPressurePsig: 100 }',
      gasLift(5500),
      '',
    ].join('\n');
    const attempt = () => loadYamlConfig(text, 'well-models.yaml', WellModels);
    expect(attempt).toThrow(/wells\.0\.gasLift: a gas-lift model needs fluids and completion/);
    expect(attempt).toThrow(/wells\.1\.gasLift\.operatingValveDepthFtTvd: the operating valve cannot sit below the perforations/);
    const parsed = WellModels.parse({
      wells: [
        {
          wellId: 'w',
          fluids: { oilApiGravity: 30, waterCutFraction: 0.2, liquidViscosityCp: 1 },
          completion: { perforationDepthFtTvd: 5000, measuredDepthFt: 5000, tubingInnerDiameterIn: 2.441, wellheadPressurePsig: 100 },
          gasLift: {
            deviceId: 'd',
            operatingValveDepthFtTvd: 4000,
            injectionGasSpecificGravity: 0.7,
            averageAnnulusTemperatureDegF: 120,
            targetGasLiquidRatioScfPerBbl: 1000,
          },
        },
      ],
    });
    expect(parsed.wells[0]?.gasLift).toMatchObject({ averageZFactor: 0.9, valveDifferentialPsi: 100 });
  });

  it("refuses a rig's string or survey that the drilling function could not use, naming the line", () => {
    const text = [
      'wells:',
      '  - wellId: w7',
      '    drilling:',
      '      deviceId: rig-9',
      '      bitDiameterIn: 8.5',
      '      wellControl: { pitGainKickBbl: 10 }',
      '      torqueDrag:',
      '        mudWeightPpg: 10',
      '        sections:',
      '          - { name: collars, weightLbPerFt: 147, odIn: 8, idIn: 2.8125 }',
      '          - { name: pipe, weightLbPerFt: 19.5, odIn: 5, idIn: 5.5 }',
      '        survey:',
      '          - { mdFt: 0, inclinationDeg: 0, azimuthDeg: 0 }',
      '          - { mdFt: 0, inclinationDeg: 5, azimuthDeg: 10 }',
      '  - wellId: w8',
      '    drilling: { deviceId: rig-8, bitDiameterIn: 8.5, wellControl: {} }',
      '',
    ].join('\n');
    const attempt = () => loadYamlConfig(text, 'well-models.yaml', WellModels);
    expect(attempt).toThrow(/well-models\.yaml:10: wells\.0\.drilling\.torqueDrag\.sections\.0\.lengthFt: only the top \(last\) section/);
    expect(attempt).toThrow(/wells\.0\.drilling\.torqueDrag\.sections\.1\.idIn: idIn must be smaller than odIn/);
    expect(attempt).toThrow(/wells\.0\.drilling\.torqueDrag\.survey\.1\.mdFt: stations must go deeper: 0 ft after 0 ft/);
    expect(attempt).toThrow(/wells\.1\.drilling\.wellControl\.tripDisplacementBblPerFt: the kick watch needs the pipe displacement/);
  });
});
