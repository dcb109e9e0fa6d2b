import { initialRigState, type RigControls, type RigState, rigActivityCode, stepRig } from './drilling-rig.ts';
import { FaultInjector } from './faults.ts';
import { gaussian, lag, seededRandom } from './noise.ts';
import { initialWellState, stepWell, type WellControls, type WellDesign, type WellState } from './producing-well.ts';

/** W-1 lifts with an ESP (it does not flow without it); W-2 flows on its own. */
const designs: Record<'W1' | 'W2', WellDesign> = {
  W1: {
    reservoirPressure: 170,
    productivityIndex: 4,
    reservoirTemperature: 78,
    liftDepth: 1800,
    fluidGradient: 0.088,
    tubingFriction: 10 / 600 ** 2,
    chokeCoefficient: 160,
    waterCut: 0.55,
    gasOilRatio: 60,
    esp: { shutoffHead: 200, maxRate: 900, ratedFrequency: 60 },
  },
  W2: {
    reservoirPressure: 210,
    productivityIndex: 2.5,
    reservoirTemperature: 84,
    liftDepth: 2200,
    fluidGradient: 0.07,
    tubingFriction: 10 / 600 ** 2,
    chokeCoefficient: 120,
    waterCut: 0.2,
    gasOilRatio: 150,
  },
};

/** Setpoints an operator (or a command) may change, with the range the equipment accepts. */
export const setpointRanges: Record<string, [number, number]> = {
  'W1.ChokeSetpoint': [0, 100],
  'W2.ChokeSetpoint': [0, 100],
  'W1.SSVOpen': [0, 1],
  'W2.SSVOpen': [0, 1],
  'ESP.FrequencySetpoint': [30, 65],
  'ESP.Run': [0, 1],
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
  MotorCurrent: 0.2,
  IntakePressure: 0.1,
  DischargePressure: 0.2,
  Vibration: 0.05,
  HookLoad: 1.5,
  WeightOnBit: 0.8,
  Torque: 0.1,
  StandpipePressure: 0.8,
  MudFlowIn: 5,
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
 * A physically plausible well pad: two producing wells (one on an ESP) feeding a
 * separator, and a drilling rig working next to them. Time advances lazily: whoever
 * reads calls `advanceTo(now)`, and the model integrates in steps of at most 250 ms.
 */
export class WellPad {
  readonly faults = new FaultInjector();
  private readonly random: () => number;
  private readonly controls: { W1: WellControls; W2: WellControls; rig: RigControls };
  private wells: { W1: WellState; W2: WellState };
  private rig: RigState;
  private separator = { pressure: 10, level: 50, temperature: 40 };
  private time: number;
  private readonly started: number;
  private measured = new Map<string, number>();
  private ambient = 15;
  private espEnergy = 0;

  constructor(options: { seed?: number; now?: number } = {}) {
    this.random = seededRandom(options.seed ?? 7);
    this.time = options.now ?? Date.now();
    this.started = this.time;
    this.controls = {
      W1: { chokeSetpoint: 60, ssvOpen: true, espRun: true, espFrequencySetpoint: 52 },
      W2: { chokeSetpoint: 45, ssvOpen: true, espRun: false, espFrequencySetpoint: 0 },
      rig: { rotarySpeedSetpoint: 120, pumpRateSetpoint: 2200 },
    };
    this.wells = { W1: initialWellState(designs.W1), W2: initialWellState(designs.W2) };
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
      const w = unit === 'W2' ? this.controls.W2 : this.controls.W1;
      if (what === 'ChokeSetpoint') w.chokeSetpoint = value;
      else if (what === 'SSVOpen') w.ssvOpen = value >= 0.5;
      else if (what === 'FrequencySetpoint') w.espFrequencySetpoint = value;
      else if (what === 'Run') w.espRun = value >= 0.5;
    }
    this.measure();
    return true;
  }

  /** Electrical power drawn by the ESP motor: hydraulic power over a 55 % wire-to-water efficiency, plus losses. */
  private espPower(): number {
    const esp = this.wells.W1.esp;
    return esp.running ? (esp.pumpHead * 1e5 * (this.wells.W1.liquidRate / 86_400)) / 1000 / 0.55 + 8 : 0;
  }

  private step(dt: number): void {
    const hours = (this.time / 3_600_000) % 24;
    const ambient = 15 + 8 * Math.sin(((hours - 9) / 24) * 2 * Math.PI);
    const flowlinePressure = this.separator.pressure + 2;
    this.wells = {
      W1: stepWell(designs.W1, this.controls.W1, this.wells.W1, { flowlinePressure, ambient }, dt),
      W2: stepWell(designs.W2, this.controls.W2, this.wells.W2, { flowlinePressure, ambient }, dt),
    };
    const liquid = this.wells.W1.liquidRate + this.wells.W2.liquidRate;
    // Separator: pressure held at 10 bar by its valve, level by a P controller on the dump valve.
    this.separator.pressure = lag(this.separator.pressure, 10 + 0.002 * (this.wells.W1.gasRate + this.wells.W2.gasRate), dt, 30);
    const outflow = liquid * (1 + 0.04 * (this.separator.level - 50));
    this.separator.level = Math.min(100, Math.max(0, this.separator.level + ((liquid - outflow) / 86_400) * dt * 20));
    const mixTemperature =
      liquid > 0
        ? (this.wells.W1.flowlineTemperature * this.wells.W1.liquidRate + this.wells.W2.flowlineTemperature * this.wells.W2.liquidRate) /
          liquid
        : ambient;
    this.separator.temperature = lag(this.separator.temperature, mixTemperature - 3, dt, 300);
    this.rig = stepRig(this.rig, this.controls.rig, dt);
    this.ambient = ambient;
    this.espEnergy += (this.espPower() * dt) / 3600;
  }

  private measure(): void {
    const m = new Map<string, number>();
    const put = (name: string, value: number) => {
      const sigma = noise[name.slice(name.indexOf('.') + 1)] ?? 0;
      // An idle instrument reads a clean zero, and a rate or pressure never reads below it.
      const noisy = sigma > 0 && Math.abs(value) > 1e-3 ? value + gaussian(this.random, sigma) : value;
      m.set(name, nonNegative.test(name) ? Math.max(0, noisy) : noisy);
    };
    for (const id of ['W1', 'W2'] as const) {
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
    }
    const esp = this.wells.W1.esp;
    const c = this.controls.W1;
    const voltage = esp.frequency > 0 ? 2300 * (esp.frequency / 60) : 0;
    const power = this.espPower();
    put('ESP.FrequencySetpoint', c.espFrequencySetpoint);
    put('ESP.Run', c.espRun ? 1 : 0);
    put('ESP.Running', esp.running ? 1 : 0);
    put('ESP.Tripped', esp.tripped ? 1 : 0);
    put('ESP.Frequency', esp.frequency);
    put('ESP.MotorVoltage', voltage);
    put('ESP.MotorCurrent', voltage > 0 ? (power * 1000) / (Math.sqrt(3) * voltage * 0.85) : 0);
    put('ESP.Power', power);
    put('ESP.MotorTemperature', esp.motorTemperature);
    put('ESP.IntakePressure', esp.intakePressure);
    put('ESP.DischargePressure', esp.dischargePressure);
    put('ESP.Vibration', esp.running ? 1.2 + 0.04 * Math.abs(esp.frequency - 55) : 0);
    put('ESP.RunHours', esp.runHours);
    put('ESP.Energy', this.espEnergy);
    put('Pad.AmbientTemperature', this.ambient);
    put('Pad.FlowlinePressure', this.separator.pressure + 2);
    put('Pad.ESDActive', 0);
    put('Pad.GasDetectorAlarm', 0);
    put('Pad.UptimeSeconds', Math.floor((this.time - this.started) / 1000));
    put('Separator.Pressure', this.separator.pressure);
    put('Separator.Temperature', this.separator.temperature);
    put('Separator.LiquidLevel', this.separator.level);
    put('Separator.OilRate', this.wells.W1.oilRate + this.wells.W2.oilRate);
    put('Separator.WaterRate', this.wells.W1.waterRate + this.wells.W2.waterRate);
    put('Separator.GasRate', this.wells.W1.gasRate + this.wells.W2.gasRate);
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
    put('Rig.PumpRateSetpoint', this.controls.rig.pumpRateSetpoint);
    put('Rig.RateOfPenetration', r.rateOfPenetration);
    put('Rig.MudPitVolume', r.mudPitVolume);
    this.measured = m;
  }
}
