import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import { WellModels } from '../../config/well-models.ts';
import { gasLiftCalculation } from '../../functions/calc/gas-lift-calculation.ts';
import { WellPad } from './well-pad.ts';

/** The simulated pad behaves like one: a few physical relations an engineer would check first. */
describe('well pad model', () => {
  const t0 = Date.parse('2026-01-08T10:00:00Z');

  it('starts where the pipeline well models expect these wells (config/examples/well-models.yaml)', () => {
    const pad = new WellPad({ now: t0 });
    const v = (name: string) => pad.read(name, t0).value;
    const psi = (bar: number) => bar * 14.5038;
    for (const w of ['W1', 'W2', 'W3']) {
      expect(v(`${w}.OilRate`) * 6.28981).toBeGreaterThan(450); // bbl/d
      expect(v(`${w}.OilRate`) * 6.28981).toBeLessThan(650);
      expect(psi(v(`${w}.TubingPressure`))).toBeGreaterThan(800);
      expect(psi(v(`${w}.EspIntakePressure`))).toBeGreaterThan(800);
      expect(psi(v(`${w}.EspDischargePressure`))).toBeGreaterThan(2500);
      expect(v(`${w}.EspMotorCurrent`)).toBeGreaterThan(35);
      expect(v(`${w}.EspMotorCurrent`)).toBeLessThan(62); // the motor's rating
    }
    expect(v('W1.EspFrequency')).toBe(55);
    expect(v('W1.EspMotorTemperature')).toBeLessThan(150);
    expect(v('W1.EspDischargePressure')).toBeGreaterThan(v('W1.EspIntakePressure'));
    expect(v('W1.TubingPressure')).toBeGreaterThan(v('Pad.FlowlinePressure'));
    expect(v('Separator.OilRate')).toBeCloseTo(v('W1.OilRate') + v('W2.OilRate') + v('W3.OilRate') + v('W4.OilRate'), -1);
    // norte-04 on gas lift: ~600 Mscf/d at ~1,090 psig, ~480 bbl/d of oil, bottom hole ~1,420 psig.
    expect(v('W4.GasInjectionRate') * 35.3147).toBeGreaterThan(560);
    expect(v('W4.GasInjectionRate') * 35.3147).toBeLessThan(640);
    expect(psi(v('W4.CasingPressure'))).toBeGreaterThan(1000);
    expect(v('W4.OilRate') * 6.28981).toBeGreaterThan(380);
    expect(v('W4.OilRate') * 6.28981).toBeLessThan(520);
    expect(psi(v('W4.BottomholePressure'))).toBeGreaterThan(1200);
    expect(psi(v('W4.BottomholePressure'))).toBeLessThan(1500);
    // The separator meters the injected gas as it comes back with the stream.
    expect(v('W4.GasRate')).toBeGreaterThan(v('W4.GasInjectionRate'));
    expect(v('Rig.HookLoad')).toBeGreaterThan(350); // block plus a string 2 km long
  });

  it('follows the ESP affinity laws: more speed, more flow and more current', () => {
    const pad = new WellPad({ now: t0 });
    const before = { q: pad.read('W1.OilRate', t0).value, amps: pad.read('W1.EspMotorCurrent', t0).value };
    expect(pad.setpoint('W1.EspFrequencySetpoint', 60, t0)).toBe(true);
    pad.advanceTo(t0 + 600_000);
    expect(pad.read('W1.OilRate', t0 + 600_000).value).toBeGreaterThan(before.q * 1.05);
    expect(pad.read('W1.EspMotorCurrent', t0 + 600_000).value).toBeGreaterThan(before.amps);
  });

  it('loses most of W-1 when its ESP stops, and shuts a well in when its safety valve closes', () => {
    const pad = new WellPad({ now: t0 });
    const flowing = pad.read('W1.OilRate', t0).value;
    pad.setpoint('W1.EspRun', 0, t0);
    pad.setpoint('W2.SSVOpen', 0, t0);
    const later = t0 + 900_000;
    expect(pad.read('W1.OilRate', later).value).toBeLessThan(flowing / 2);
    expect(pad.read('W1.EspFrequency', later).value).toBe(0);
    expect(pad.read('W2.OilRate', later).value).toBeLessThan(1);
    // Shut in, the wellhead sees the reservoir less the column: well above flowing pressure.
    expect(pad.read('W2.TubingPressure', later).value).toBeGreaterThan(40);
  });

  it("gives calc a gas-lifted well whose gas reaches its operating valve, as norte-04's design means", async () => {
    const pad = new WellPad({ now: t0 });
    const v = (name: string) => pad.read(name, t0).value;
    const model = (await loadConfig('well-models', WellModels)).wells.find((w) => w.wellId === 'norte-04');
    if (!model) throw new Error('norte-04 is missing from config/examples/well-models.yaml');
    const outcome = gasLiftCalculation(
      { wellId: 'norte-04', tenantId: 'acme-energy', fieldId: 'campo-norte', model },
      {
        values: {
          oilRate: v('W4.OilRate') * 6.28981,
          producedGasRate: v('W4.GasRate') * 35.3147,
          injectionRate: v('W4.GasInjectionRate') * 35.3147,
          casingPressure: v('W4.CasingPressure') * 14.5038,
          bottomholePressure: v('W4.BottomholePressure') * 14.5038,
        },
        newestTimestamp: t0,
        quality: 'good',
        deviceId: 'rtu-w04',
      },
      t0,
    );
    if (!('result' in outcome)) throw new Error(outcome.skipped);
    expect(outcome.result.operatingValveCanInject).toBe(true);
    expect(outcome.result.injectionDepthFtTvd).toBeLessThan(6000);
    // Injecting less than the design GLR asks for: the headroom an engineer would look at first.
    expect(outcome.result.requiredInjectionRateMscfd).toBeGreaterThan(outcome.result.injectionRateMscfd);
  });

  it('lifts W-4 with gas: less injection, less oil; none, and the well dies', () => {
    const pad = new WellPad({ now: t0 });
    const lifted = pad.read('W4.OilRate', t0).value;
    expect(pad.setpoint('W4.GasInjectionSetpoint', 8, t0)).toBe(true);
    const less = pad.read('W4.OilRate', t0 + 900_000).value;
    expect(less).toBeLessThan(lifted * 0.95);
    expect(less).toBeGreaterThan(lifted * 0.5);
    pad.setpoint('W4.GasInjectionSetpoint', 0, t0 + 900_000);
    // Its column outweighs the reservoir: without gas it stops flowing, and the annulus bleeds down.
    expect(pad.read('W4.OilRate', t0 + 2_700_000).value).toBeLessThan(lifted * 0.1);
    expect(pad.read('W4.CasingPressure', t0 + 2_700_000).value).toBeLessThan(50);
    // A gas-lifted well has no ESP to set.
    expect(pad.setpoint('W4.EspRun', 1, t0)).toBe(false);
    expect(pad.setpoint('W1.GasInjectionSetpoint', 10, t0)).toBe(false);
  });

  it('refuses setpoints the equipment would not take', () => {
    const pad = new WellPad({ now: t0 });
    expect(pad.setpoint('W1.EspFrequencySetpoint', 90, t0)).toBe(false);
    expect(pad.setpoint('W1.TubingPressure', 10, t0)).toBe(false);
  });

  it('drills on, then makes a connection', () => {
    const pad = new WellPad({ now: t0 });
    const depth = pad.read('Rig.BitDepth', t0).value;
    const activities = new Set<number>();
    for (let t = t0; t < t0 + 3_600_000; t += 10_000) activities.add(pad.read('Rig.Activity', t).value);
    expect(pad.read('Rig.BitDepth', t0 + 3_600_000).value).toBeGreaterThan(depth + 5);
    expect([...activities].sort()).toEqual([1, 2]);
  });

  it('takes a small kick now and then: flow out above flow in and the pits gaining at the influx rate', () => {
    const pad = new WellPad({ now: t0 });
    let kickSeconds = 0;
    let pitGainWhileKicking = 0;
    let pitBefore = pad.read('Rig.MudPitVolume', t0).value;
    for (let t = t0 + 10_000; t < t0 + 2 * 3_600_000; t += 10_000) {
      const excess = pad.read('Rig.MudFlowOut', t).value - pad.read('Rig.MudFlowIn', t).value;
      const pit = pad.read('Rig.MudPitVolume', t).value;
      if (pad.read('Rig.Activity', t).value === 1 && excess > 250) {
        kickSeconds += 10;
        pitGainWhileKicking += pit - pitBefore;
      }
      pitBefore = pit;
    }
    // 300 L/min for 240 s of each 30 minutes of drilling (a connection may cut a kick in two):
    // in two hours at least one whole kick, the pits gaining 5 L/s while it flows.
    expect(kickSeconds).toBeGreaterThanOrEqual(230);
    expect(pitGainWhileKicking / kickSeconds).toBeGreaterThan(0.0045);
    expect(pitGainWhileKicking / kickSeconds).toBeLessThan(0.0052);
  });

  it('injects faults: bad quality, frozen values and spikes', () => {
    const pad = new WellPad({ now: t0 });
    pad.faults.inject('bad-quality', 'W1', 60_000, t0);
    expect(pad.read('W1.TubingPressure', t0 + 1).good).toBe(false);
    expect(pad.read('W2.TubingPressure', t0 + 1).good).toBe(true);
    pad.faults.inject('frozen', 'Rig.BitDepth', 600_000, t0);
    const frozen = pad.read('Rig.BitDepth', t0 + 1).value;
    expect(pad.read('Rig.BitDepth', t0 + 300_000).value).toBe(frozen);
    const normal = pad.read('Separator.Pressure', t0 + 2).value;
    pad.faults.inject('spike', 'Separator.Pressure', 1_000, t0 + 2);
    expect(pad.read('Separator.Pressure', t0 + 3).value).toBeGreaterThan(normal * 3);
  });
});
