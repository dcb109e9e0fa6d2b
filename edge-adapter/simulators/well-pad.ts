import { initialRigState, type RigControls, type RigState, rigActivityCode, stepRig } from './drilling-rig.ts';
import { FaultInjector } from './faults.ts';
import { gaussian, lag, seededRandom } from './noise.ts';
import { initialWellState, stepWell, type WellControls, type WellDesign, type WellState } from './producing-well.ts';

/** The pad's wells, each watched by its own wellhead RTU: three on ESPs, one on gas lift. */
export const wellIds = ['W1', 'W2', 'W3', 'W4'] as const;
export type WellId = (typeof wellIds)[number];
export const espWellIds = ['W1', 'W2', 'W3'] as const satisfies readonly WellId[];
export const gasLiftWellIds = ['W4'] as const satisfies readonly WellId[];
const isEspWell = (id: WellId) => (espWellIds as readonly WellId[]).includes(id);

const feet = 0.3048;

/**
 * The three ESP wells, tuned to the engineering data the calc function holds for them
 * (config/examples/well-models.yaml): pumps at 4,300–4,400 ft, perforations 600 ft
 * below, ~1,000 bbl/d of liquid at 40–50 % water cut, intake ~900 psi and discharge
 * ~2,700 psi at 55 Hz, wellhead ~900 psi behind a 60 % choke.
 */
function design(n: 1 | 2 | 3): WellDesign {
  return {
    reservoirPressure: [192, 195.5, 199][n - 1] ?? 192,
    productivityIndex: [1.47, 1.36, 1.27][n - 1] ?? 1.4,
    reservoirTemperature: 75,
    perforationDepth: (4900 + 50 * (n - 1)) * feet,
    pumpDepth: (4300 + 50 * (n - 1)) * feet,
    fluidGradient: 0.094,
    tubingFriction: 2 / 170 ** 2,
    chokeCoefficient: [38, 36, 34.3][n - 1] ?? 36,
    waterCut: [0.5, 0.45, 0.4][n - 1] ?? 0.5,
    gasOilRatio: [60, 70, 80][n - 1] ?? 60,
    esp: { shutoffHead: 170, maxRate: 450, ratedFrequency: 60 },
  };
}
/**
 * A deeper well that cannot flow on its own (its column outweighs the reservoir), on
 * continuous gas lift through an operating valve at 5,200 ft: ~600 Mscf/d injected at
 * ~1,090 psig gives ~690 bbl/d at 30 % water, bottom-hole ~1,420 psig, the point of
 * balance ~100 ft below the valve (norte-04 in config/examples/well-models.yaml).
 */
const gasLifted: WellDesign = {
  reservoirPressure: 140,
  productivityIndex: 2.6,
  reservoirTemperature: 80,
  perforationDepth: 6000 * feet,
  pumpDepth: 6000 * feet,
  fluidGradient: 0.0912,
  tubingFriction: 2 / 170 ** 2,
  chokeCoefficient: 60,
  waterCut: 0.3,
  gasOilRatio: 60,
  gasLift: { valveDepth: 5200 * feet, injectionPressure: 78 },
};
const designs: Record<WellId, WellDesign> = { W1: design(1), W2: design(2), W3: design(3), W4: gasLifted };

/** Setpoints an operator (or a command) may change, with the range the equipment accepts. */
export const setpointRanges: Record<string, [number, number]> = {
  ...Object.fromEntries(
    wellIds.flatMap((w) => [
      [`${w}.ChokeSetpoint`, [0, 100]],
      [`${w}.SSVOpen`, [0, 1]],
      ...(isEspWell(w)
        ? [
            [`${w}.EspFrequencySetpoint`, [30, 65]],
            [`${w}.EspRun`, [0, 1]],
          ]
        : [[`${w}.GasInjectionSetpoint`, [0, 40]]]),
    ]),
  ),
  'Rig.RotarySpeedSetpoint': [0, 200],
  'Rig.PumpRateSetpoint': [0, 3500],
};

/** Measurement noise (standard deviation) per value; the rest are read exactly. */
const noise: Record<string, number> = {
  TubingPressure: 0.15,
  CasingPressure: 0.1,
  FlowlineTemperature: 0.05,
  OilRate: 0.8,
  WaterRate: 0.8,
  GasRate: 0.05,
  GasInjectionRate: 0.05,
  BottomholePressure: 0.1,
  EspMotorCurrent: 0.2,
  EspIntakePressure: 0.1,
  EspDischargePressure: 0.2,
  EspVibration: 0.05,
  HookLoad: 1.5,
  WeightOnBit: 0.8,
  RotarySpeed: 0.3, // a top drive's speed hunts a little around its setpoint
  RateOfPenetration: 0.3,
  Torque: 0.1,
  StandpipePressure: 0.8,
  MudFlowIn: 5,
  MudFlowOut: 5,
  Pressure: 0.03,
  LiquidLevel: 0.2,
};

const nonNegative = /(Rate|Pressure|Current|Vibration|Flow|Load|Torque|Bit|Speed|Level|Voltage|Power)/;

export interface PadReading {
  value: number;
  /** False while a bad-quality fault covers the value. */
  good: boolean;
}

/**
 * A physically plausible well pad: three wells on ESPs and one on gas lift feeding a
 * separator, and a drilling rig working next to them. Time advances lazily: whoever reads calls
 * `advanceTo(now)`, and the model integrates in steps of at most 250 ms.
 */
export class WellPad {
  readonly faults = new FaultInjector();
  private readonly random: () => number;
  private readonly controls: Record<WellId, WellControls> & { rig: RigControls };
  private wells: Record<WellId, WellState>;
  private rig: RigState;
  private separator = { pressure: 10, level: 50, temperature: 40 };
  private time: number;
  private readonly started: number;
  private measured = new Map<string, number>();
  private ambient = 15;
  private readonly espEnergy: Record<WellId, number> = { W1: 0, W2: 0, W3: 0, W4: 0 };

  constructor(options: { seed?: number; now?: number } = {}) {
    this.random = seededRandom(options.seed ?? 7);
    this.time = options.now ?? Date.now();
    this.started = this.time;
    const producing = (): WellControls => ({
      chokeSetpoint: 60,
      ssvOpen: true,
      espRun: true,
      espFrequencySetpoint: 55,
      gasInjectionSetpoint: 0,
    });
    const lifted: WellControls = { chokeSetpoint: 80, ssvOpen: true, espRun: false, espFrequencySetpoint: 0, gasInjectionSetpoint: 17 };
    this.controls = {
      W1: producing(),
      W2: producing(),
      W3: producing(),
      W4: lifted,
      rig: { rotarySpeedSetpoint: 120, pumpRateSetpoint: 2200 },
    };
    this.wells = {
      W1: initialWellState(designs.W1),
      W2: initialWellState(designs.W2),
      W3: initialWellState(designs.W3),
      W4: initialWellState(designs.W4),
    };
    this.rig = initialRigState();
    // Start from a pad that has been producing for a while, not from a cold start.
    for (let i = 0; i < 2400; i++) this.step(0.5);
    this.measure();
  }

  advanceTo(now: number): void {
    let dt = (now - this.time) / 1000;
    if (dt <= 0) return;
    this.time = now;
    // After a long pause (a suspended laptop), catch up the last hour only: the pad settles within it.
    dt = Math.min(dt, 3600);
    while (dt > 0) {
      const step = Math.min(dt, 0.25);
      this.step(step);
      dt -= step;
    }
    this.measure();
  }

  /** A value as an instrument reports it now: noise, and any active fault, included. */
  read(name: string, now = Date.now()): PadReading {
    this.advanceTo(now);
    const value = this.measured.get(name);
    if (value === undefined) throw new RangeError(`the well pad has no value ${name}`);
    return this.faults.observe(name, value, now);
  }

  names(): string[] {
    return [...this.measured.keys()];
  }

  /** Changes a setpoint; false when the name is not a setpoint or the value is outside what the equipment accepts. */
  setpoint(name: string, value: number, now = Date.now()): boolean {
    const range = setpointRanges[name];
    if (!range || !Number.isFinite(value) || value < range[0] || value > range[1]) return false;
    this.advanceTo(now);
    const [unit, what] = name.split('.') as [string, string];
    if (unit === 'Rig') {
      if (what === 'RotarySpeedSetpoint') this.controls.rig.rotarySpeedSetpoint = value;
      else this.controls.rig.pumpRateSetpoint = value;
    } else {
      const w = this.controls[unit as WellId];
      if (what === 'ChokeSetpoint') w.chokeSetpoint = value;
      else if (what === 'SSVOpen') w.ssvOpen = value >= 0.5;
      else if (what === 'EspFrequencySetpoint') w.espFrequencySetpoint = value;
      else if (what === 'EspRun') w.espRun = value >= 0.5;
      else if (what === 'GasInjectionSetpoint') w.gasInjectionSetpoint = value;
    }
    this.measure();
    return true;
  }

  /** Electrical power drawn by an ESP motor: hydraulic power over a 55 % wire-to-water efficiency, plus losses. */
  private espPower(id: WellId): number {
    const well = this.wells[id];
    return well.esp.running ? (well.esp.pumpHead * 1e5 * (well.liquidRate / 86_400)) / 1000 / 0.55 + 3 : 0;
  }

  private step(dt: number): void {
    const hours = (this.time / 3_600_000) % 24;
    this.ambient = 15 + 8 * Math.sin(((hours - 9) / 24) * 2 * Math.PI);
    const env = { flowlinePressure: this.separator.pressure + 2, ambient: this.ambient };
    for (const id of wellIds) {
      this.wells[id] = stepWell(designs[id], this.controls[id], this.wells[id], env, dt);
      this.espEnergy[id] += (this.espPower(id) * dt) / 3600;
    }
    const all = wellIds.map((id) => this.wells[id]);
    const liquid = all.reduce((sum, w) => sum + w.liquidRate, 0);
    const gas = all.reduce((sum, w) => sum + w.gasRate, 0);
    // Separator: pressure held at 10 bar by its valve, level by a P controller on the dump valve.
    this.separator.pressure = lag(this.separator.pressure, 10 + 0.002 * gas, dt, 30);
    const outflow = liquid * (1 + 0.04 * (this.separator.level - 50));
    this.separator.level = Math.min(100, Math.max(0, this.separator.level + ((liquid - outflow) / 86_400) * dt * 20));
    const mix = liquid > 0 ? all.reduce((sum, w) => sum + w.flowlineTemperature * w.liquidRate, 0) / liquid : this.ambient;
    this.separator.temperature = lag(this.separator.temperature, mix - 3, dt, 300);
    this.rig = stepRig(this.rig, this.controls.rig, dt);
  }

  private measure(): void {
    const m = new Map<string, number>();
    const put = (name: string, value: number) => {
      const sigma = noise[name.slice(name.indexOf('.') + 1)] ?? 0;
      // An idle instrument reads a clean zero, and a rate or pressure never reads below it.
      const noisy = sigma > 0 && Math.abs(value) > 1e-3 ? value + gaussian(this.random, sigma) : value;
      m.set(name, nonNegative.test(name) ? Math.max(0, noisy) : noisy);
    };
    for (const id of wellIds) {
      const w = this.wells[id];
      const c = this.controls[id];
      put(`${id}.TubingPressure`, w.tubingPressure);
      put(`${id}.CasingPressure`, w.casingPressure);
      put(`${id}.FlowlineTemperature`, w.flowlineTemperature);
      put(`${id}.OilRate`, w.oilRate);
      put(`${id}.WaterRate`, w.waterRate);
      put(`${id}.GasRate`, w.gasRate);
      put(`${id}.ChokePosition`, w.chokePosition);
      put(`${id}.ChokeSetpoint`, c.chokeSetpoint);
      put(`${id}.SSVOpen`, c.ssvOpen ? 1 : 0);
      put(`${id}.OilTotal`, w.oilTotal);
      put(`${id}.BottomholePressure`, w.bottomholePressure);
      if (!isEspWell(id)) {
        put(`${id}.GasInjectionRate`, w.gasInjectionRate);
        put(`${id}.GasInjectionSetpoint`, c.gasInjectionSetpoint);
        continue;
      }
      const esp = w.esp;
      const voltage = esp.frequency > 0 ? 760 * (esp.frequency / 60) : 0; // constant V/Hz drive, 760 V motor
      const power = this.espPower(id);
      put(`${id}.EspFrequencySetpoint`, c.espFrequencySetpoint);
      put(`${id}.EspRun`, c.espRun ? 1 : 0);
      put(`${id}.EspRunning`, esp.running ? 1 : 0);
      put(`${id}.EspTripped`, esp.tripped ? 1 : 0);
      put(`${id}.EspFrequency`, esp.frequency);
      put(`${id}.EspMotorVoltage`, voltage);
      put(`${id}.EspMotorCurrent`, voltage > 0 ? (power * 1000) / (Math.sqrt(3) * voltage * 0.86) : 0);
      put(`${id}.EspPower`, power);
      put(`${id}.EspMotorTemperature`, esp.motorTemperature);
      put(`${id}.EspIntakePressure`, esp.intakePressure);
      put(`${id}.EspDischargePressure`, esp.dischargePressure);
      put(`${id}.EspVibration`, esp.running ? 1.2 + 0.04 * Math.abs(esp.frequency - 55) : 0);
      put(`${id}.EspRunHours`, esp.runHours);
      put(`${id}.EspEnergy`, this.espEnergy[id]);
    }
    put('Pad.AmbientTemperature', this.ambient);
    put('Pad.FlowlinePressure', this.separator.pressure + 2);
    put('Pad.ESDActive', 0);
    put('Pad.GasDetectorAlarm', 0);
    put('Pad.UptimeSeconds', Math.floor((this.time - this.started) / 1000));
    const wells = wellIds.map((id) => this.wells[id]);
    put('Separator.Pressure', this.separator.pressure);
    put('Separator.Temperature', this.separator.temperature);
    put('Separator.LiquidLevel', this.separator.level);
    put(
      'Separator.OilRate',
      wells.reduce((sum, w) => sum + w.oilRate, 0),
    );
    put(
      'Separator.WaterRate',
      wells.reduce((sum, w) => sum + w.waterRate, 0),
    );
    put(
      'Separator.GasRate',
      wells.reduce((sum, w) => sum + w.gasRate, 0),
    );
    const r = this.rig;
    put('Rig.Activity', rigActivityCode[r.activity]);
    put('Rig.BitDepth', r.bitDepth);
    put('Rig.HoleDepth', r.holeDepth);
    put('Rig.BlockHeight', r.blockHeight);
    put('Rig.HookLoad', r.hookLoad);
    put('Rig.WeightOnBit', r.weightOnBit);
    put('Rig.RotarySpeed', r.rotarySpeed);
    put('Rig.RotarySpeedSetpoint', this.controls.rig.rotarySpeedSetpoint);
    put('Rig.Torque', r.torque);
    put('Rig.StandpipePressure', r.standpipePressure);
    put('Rig.MudFlowIn', r.pumpRate);
    put('Rig.MudFlowOut', r.mudFlowOut);
    put('Rig.PumpRateSetpoint', this.controls.rig.pumpRateSetpoint);
    put('Rig.RateOfPenetration', r.rateOfPenetration);
    put('Rig.MudPitVolume', r.mudPitVolume);
    this.measured = m;
  }
}
