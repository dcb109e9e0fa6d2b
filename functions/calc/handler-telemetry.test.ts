import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EspPerformance, GasLiftPerformance, MseCalculated, TelemetryValidated } from '#contracts';
import type { TestBed } from '../../runtime/testing.ts';
import { validatedSample } from '../../tests/support/telemetry-samples.ts';
import { calcBed, settle } from './test-bed.ts';

let bed: TestBed;
let redis: Redis;
let live: Awaited<ReturnType<typeof calcBed>>['live'];
let close: () => Promise<void>;

beforeEach(async () => {
  ({ bed, redis, live, close } = await calcBed());
});
afterEach(() => close());

const t0 = Date.UTC(2026, 0, 15, 12);
type Status = TelemetryValidated['status'];

/** Writes one current value the way validate does (`telemetry:{wellId}:current`). */
async function current(
  wellId: string,
  deviceId: string,
  tagId: string,
  value: number,
  extra: { status?: Status; flags?: string[]; timestamp?: number } = {},
) {
  const status = extra.status ?? 'good';
  await redis.hset(
    `telemetry:${wellId}:current`,
    tagId,
    JSON.stringify({
      value,
      quality: status === 'bad' ? 24 : status === 'suspect' ? 68 : 192,
      status,
      flags: extra.flags ?? [],
      timestamp: extra.timestamp ?? t0,
      deviceId,
    }),
  );
}

/** norte-01's ESP at 55 Hz: the hand-worked case of esp-hydraulic-power.test.ts (1,000 bbl/d liquid at 50 % water). */
async function espRunning(extra: { timestamp?: number } = {}) {
  for (const [tag, value] of Object.entries({
    oil_rate: 500,
    esp_frequency: 55,
    esp_motor_current: 43,
    esp_intake_pressure: 900,
    esp_discharge_pressure: 2650,
  })) {
    await current('norte-01', 'rtu-w01', tag, value, extra);
  }
}

function sample(tagId: string, value: number, overrides: Partial<TelemetryValidated> = {}): TelemetryValidated {
  return validatedSample({ timestamp: t0, tagId, value, sourceProtocol: 'SIMULATOR', unit: undefined, ...overrides });
}

async function trigger(...samples: TelemetryValidated[]) {
  for (const s of samples) bed.publish('scada.telemetry.validated', s, { key: s.deviceId });
  await bed.drained();
}

const esp = () => bed.events<EspPerformance>('production.calculations').map((e) => e.data);
const outcomes = async (kind: string) => {
  const metric = await bed.metrics.registry.getSingleMetric('flowline_fn_calc_calculations_total')?.get();
  const values = metric?.values.filter((v) => v.labels.kind === kind) ?? [];
  return Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]));
};

describe('calc: telemetry → ESP performance, gas lift and MSE', () => {
  it('computes ESP hydraulic horsepower and efficiency from the current values, caches and announces it', async () => {
    await espRunning();
    await trigger(sample('esp_frequency', 55));
    const [out] = esp();
    expect(out).toMatchObject({
      kind: 'esp',
      calculationId: `esp:norte-01:${t0}`,
      wellId: 'norte-01',
      deviceId: 'rtu-w01',
      inputQuality: 'good',
      liquidRateBbld: 1000,
      pumpDifferentialPressurePsi: 1750,
      hydraulicHorsepowerHp: 29.777,
      pumpEfficiencyFraction: 0.5854,
      systemEfficiencyFraction: 0.4976,
    });
    // TDH of a 0.95772 liquid (32 °API oil, 1.05 water, half and half): 1,750 / (0.43333 · 0.95772) = 4,216.8 ft.
    expect(out?.totalDynamicHeadFt).toBeCloseTo(4216.8, 0);
    expect(JSON.parse((await redis.get('calc:esp:norte-01:latest')) ?? '{}')).toMatchObject({ hydraulicHorsepowerHp: 29.777 });
    expect(await redis.ttl(`calc:esp:norte-01:${t0}`)).toBeGreaterThan(290);
    await settle();
    expect(live.map((m) => m.message.type)).toEqual(['calculation:esp']);
  });

  it('computes once per throttle window however many tags update, and again once the window has passed', async () => {
    await espRunning();
    const updates = [
      'oil_rate',
      'esp_frequency',
      'esp_motor_current',
      'esp_intake_pressure',
      'esp_discharge_pressure',
      'oil_rate',
      'esp_frequency',
      'esp_motor_current',
    ];
    await trigger(...updates.map((tag, i) => sample(tag, 1, { timestamp: t0 + i })));
    expect(esp()).toHaveLength(1);
    expect(await outcomes('esp')).toEqual({ computed: 1, throttled: 7 });
    const windowMs = await redis.pttl('calc:throttle:esp:norte-01');
    expect(windowMs).toBeGreaterThan(0);
    expect(windowMs).toBeLessThanOrEqual(10_000);
    // The window is a TTL; its expiry is Redis's job. Expire it now rather than wait 10 s.
    await redis.del('calc:throttle:esp:norte-01');
    await trigger(sample('esp_frequency', 55, { timestamp: t0 + 100 }));
    expect(esp()).toHaveLength(2);
  });

  it('does not compute with an input missing, bad, flagged stale, or too old next to the others', async () => {
    await espRunning();
    await redis.hdel('telemetry:norte-01:current', 'esp_motor_current');
    await trigger(sample('esp_frequency', 55));
    await current('norte-01', 'rtu-w01', 'esp_motor_current', 43, { status: 'bad', flags: ['quality-bad'] });
    await trigger(sample('esp_frequency', 55, { timestamp: t0 + 1 }));
    await current('norte-01', 'rtu-w01', 'esp_motor_current', 43, { status: 'suspect', flags: ['stale'] });
    await trigger(sample('esp_frequency', 55, { timestamp: t0 + 2 }));
    await current('norte-01', 'rtu-w01', 'esp_motor_current', 43, { timestamp: t0 - 31_000 }); // 31 s behind the others (limit 30 s)
    await trigger(sample('esp_frequency', 55, { timestamp: t0 + 3 }));
    expect(esp()).toHaveLength(0);
    expect(await outcomes('esp')).toEqual({ skipped: 4 });
    expect(await redis.exists('calc:throttle:esp:norte-01')).toBe(0); // a skipped event claims no window
  });

  it('computes from suspect inputs and says so', async () => {
    await espRunning();
    await current('norte-01', 'rtu-w01', 'esp_intake_pressure', 900, { status: 'suspect', flags: ['rate-of-change'] });
    await trigger(sample('esp_frequency', 55));
    expect(esp()[0]?.inputQuality).toBe('suspect');
  });

  it('skips a stopped pump, tags that are no ESP input, other devices and wells without a model', async () => {
    await espRunning();
    await current('norte-01', 'rtu-w01', 'esp_frequency', 0);
    await trigger(sample('esp_frequency', 0));
    await trigger(
      sample('tubing_pressure', 850),
      sample('esp_frequency', 55, { deviceId: 'rtu-w02' }),
      sample('esp_frequency', 55, { wellId: 'norte-99' }),
    );
    expect(esp()).toHaveLength(0);
    expect(await outcomes('esp')).toEqual({ skipped: 1 });
  });

  it('publishes the same result under the same id when the claiming event is redelivered', async () => {
    await espRunning();
    const event = bed.publish('scada.telemetry.validated', sample('esp_frequency', 55), { key: 'rtu-w01' });
    bed.publish('scada.telemetry.validated', sample('esp_frequency', 55), { key: 'rtu-w01', id: event.id });
    await bed.drained();
    const out = bed.events<EspPerformance>('production.calculations');
    expect(out).toHaveLength(2); // the redelivery passes its own throttle window...
    expect(out[1]?.id).toBe(out[0]?.id); // ...and downstream sees the same event again, not a new one
    expect(out[1]?.data.calculationId).toBe(out[0]?.data.calculationId);
  });

  it('computes the MSE of the rig from weight on bit, rotary speed, surface torque and ROP', async () => {
    for (const [tag, value] of Object.entries({ weight_on_bit: 35, rotary_speed: 120, surface_torque: 4.5, rate_of_penetration: 50 })) {
      await current('norte-07', 'rig-07', tag, value);
    }
    await trigger(sample('rate_of_penetration', 50, { deviceId: 'rig-07', wellId: 'norte-07' }));
    const [mse] = bed.events<MseCalculated>('drilling.calculations').map((e) => e.data);
    // The hand-worked case of mechanical-specific-energy.test.ts: 35 klbf, 120 rpm, 4.5 kft·lbf, 50 ft/h, 8.5-in bit.
    expect(mse).toMatchObject({
      kind: 'mse',
      wellId: 'norte-07',
      deviceId: 'rig-07',
      weightOnBitLbf: 35_000,
      surfaceTorqueFtLbf: 4500,
      bitDiameterIn: 8.5,
    });
    expect(mse?.mechanicalSpecificEnergyPsi).toBeCloseTo(72_367.7, 1);
    expect(JSON.parse((await redis.get('calc:mse:norte-07:latest')) ?? '{}').kind).toBe('mse');
    // Off bottom there is no MSE.
    await redis.del('calc:throttle:mse:norte-07');
    await current('norte-07', 'rig-07', 'rate_of_penetration', 0, { timestamp: t0 + 1000 });
    await trigger(sample('rate_of_penetration', 0, { deviceId: 'rig-07', wellId: 'norte-07', timestamp: t0 + 1000 }));
    expect(bed.events('drilling.calculations')).toHaveLength(1);
    expect(await outcomes('mse')).toEqual({ computed: 1, skipped: 1 });
  });

  it('computes the gas lift of norte-04: ratios, the injection its design asks for, and where gas can enter', async () => {
    const values = { oil_rate: 560, gas_rate: 860, gas_injection_rate: 600, casing_pressure: 1050, bottomhole_pressure: 1250 };
    for (const [tag, value] of Object.entries(values)) await current('norte-04', 'rtu-w04', tag, value);
    await trigger(sample('gas_injection_rate', 600, { deviceId: 'rtu-w04', wellId: 'norte-04' }));
    const [out] = bed.events<GasLiftPerformance>('production.calculations').map((e) => e.data);
    // By hand, with norte-04's model (30 % water, 33 °API, valve at 5,200 ft, perforations at 6,000 ft, target GLR 1,200):
    // liquid 560 / 0.7 = 800 bbl/d; formation gas 860 − 600 = 260 Mscf/d → 325 scf/bbl; injected 750; total 1,075;
    // required injection (1,200 − 325) · 800 / 1,000 = 700 Mscf/d.
    expect(out).toMatchObject({
      kind: 'gas-lift',
      calculationId: `gas-lift:norte-04:${t0}`,
      wellId: 'norte-04',
      deviceId: 'rtu-w04',
      liquidRateBbld: 800,
      formationGasLiquidRatioScfPerBbl: 325,
      injectionGasLiquidRatioScfPerBbl: 750,
      totalGasLiquidRatioScfPerBbl: 1075,
      requiredInjectionRateMscfd: 700,
      operatingValveDepthFtTvd: 5200,
      operatingValveCanInject: true,
    });
    // Point of balance: liquid gradient 0.433 · (0.7 · 0.86018 + 0.3 · 1.05) = 0.397422 psi/ft below the valve;
    // casing 1,064.7 psia · e^(0.01875 · 0.7 · D / (0.9 · 589.67)). At D = 5,646.6 ft: e^0.139648 = 1.149870, casing
    // 1,224.27 psia, less 100 = 1,124.27 = 1,264.7 − 0.397422 · 353.4 (the tubing there). Deeper than the valve: it can inject.
    expect(out?.injectionDepthFtTvd).toBeCloseTo(5646.6, 0);
    expect(out?.casingPressureAtInjectionPsia).toBeCloseTo(1224.3, 0);
    expect(JSON.parse((await redis.get('calc:gas-lift:norte-04:latest')) ?? '{}').kind).toBe('gas-lift');

    // A higher bottom-hole pressure (the well loading up) lifts the point of balance above the valve.
    await redis.del('calc:throttle:gas-lift:norte-04');
    await current('norte-04', 'rtu-w04', 'bottomhole_pressure', 1500, { timestamp: t0 + 1000 });
    await trigger(sample('bottomhole_pressure', 1500, { deviceId: 'rtu-w04', wellId: 'norte-04', timestamp: t0 + 1000 }));
    const [, loaded] = bed.events<GasLiftPerformance>('production.calculations').map((e) => e.data);
    expect(loaded?.operatingValveCanInject).toBe(false);
    expect(loaded?.injectionDepthFtTvd).toBeLessThan(5200);

    // Casing pressure too low to reach the tubing anywhere: a result that says so, not a depth.
    await redis.del('calc:throttle:gas-lift:norte-04');
    await current('norte-04', 'rtu-w04', 'casing_pressure', 50, { timestamp: t0 + 2000 });
    await current('norte-04', 'rtu-w04', 'bottomhole_pressure', 2700, { timestamp: t0 + 2000 });
    await trigger(sample('casing_pressure', 50, { deviceId: 'rtu-w04', wellId: 'norte-04', timestamp: t0 + 2000 }));
    const [, , starved] = bed.events<GasLiftPerformance>('production.calculations').map((e) => e.data);
    expect(starved).toMatchObject({
      operatingValveCanInject: false,
      injectionReason: expect.stringMatching(/cannot enter the tubing at any depth/),
    });
    expect(starved?.injectionDepthFtTvd).toBeUndefined();

    // A dead well (no oil) has no ratios to give.
    await redis.del('calc:throttle:gas-lift:norte-04');
    await current('norte-04', 'rtu-w04', 'oil_rate', 0, { timestamp: t0 + 3000 });
    await trigger(sample('oil_rate', 0, { deviceId: 'rtu-w04', wellId: 'norte-04', timestamp: t0 + 3000 }));
    expect(await outcomes('gas-lift')).toEqual({ computed: 3, skipped: 1 });
    expect(await outcomes('esp')).toEqual({}); // norte-04 has no ESP: its tags never start one
  });

  it('skips, and never dead-letters the sample, when a formula refuses an impossible input', async () => {
    for (const [tag, value] of Object.entries({ weight_on_bit: 35, rotary_speed: 120, surface_torque: -4.5, rate_of_penetration: 50 })) {
      await current('norte-07', 'rig-07', tag, value);
    }
    await trigger(sample('surface_torque', -4.5, { deviceId: 'rig-07', wellId: 'norte-07' }));
    expect(bed.events('drilling.calculations')).toHaveLength(0);
    expect(bed.deadLetters('scada.telemetry.validated')).toHaveLength(0);
    expect(await outcomes('mse')).toEqual({ skipped: 1 });
  });
});
