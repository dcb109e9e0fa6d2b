import { lag, ramp } from './noise.ts';

/** The fixed facts of one well and, when it has one, its electric submersible pump. */
export interface WellDesign {
  reservoirPressure: number; // bar
  productivityIndex: number; // m³/d per bar of drawdown (linear IPR)
  reservoirTemperature: number; // °C
  perforationDepth: number; // m, true vertical depth of the producing interval
  pumpDepth: number; // m, where the ESP sits (at the perforations when there is none)
  fluidGradient: number; // bar/m of the produced column
  tubingFriction: number; // bar per (m³/d)²
  chokeCoefficient: number; // m³/d per √bar at a fully open choke
  waterCut: number; // fraction
  gasOilRatio: number; // Sm³/m³
  esp?: { shutoffHead: number; maxRate: number; ratedFrequency: number }; // bar at 0 flow, m³/d at 0 head
  /** Continuous gas lift through one operating valve; the annulus is held at the injection header's pressure. */
  gasLift?: { valveDepth: number; injectionPressure: number }; // m TVD, bar at the casing head
}

/** What an operator can set. */
export interface WellControls {
  chokeSetpoint: number; // %
  ssvOpen: boolean;
  espRun: boolean;
  espFrequencySetpoint: number; // Hz
  gasInjectionSetpoint: number; // kSm³/d, for a gas-lifted well
}

/** The well's measured state. */
export interface WellState {
  liquidRate: number; // m³/d
  oilRate: number;
  waterRate: number;
  gasRate: number; // kSm³/d
  tubingPressure: number; // bar, wellhead upstream of the choke
  casingPressure: number;
  bottomholePressure: number;
  flowlineTemperature: number; // °C
  chokePosition: number; // %
  oilTotal: number; // m³ since start
  gasInjectionRate: number; // kSm³/d into the annulus
  esp: {
    frequency: number;
    running: boolean;
    tripped: boolean;
    intakePressure: number;
    dischargePressure: number;
    pumpHead: number;
    motorTemperature: number;
    runHours: number;
  };
}

/** Pump head (bar) at a liquid rate and frequency: the affinity laws over a parabolic curve. */
export function pumpHead(design: WellDesign, rate: number, frequency: number): number {
  const esp = design.esp;
  if (!esp || frequency <= 0) return 0;
  const speed = frequency / esp.ratedFrequency;
  const maxRate = esp.maxRate * speed;
  if (rate >= maxRate) return 0;
  return esp.shutoffHead * speed * speed * (1 - (rate / maxRate) ** 2);
}

/**
 * Pressure the produced column needs between the perforations and the wellhead at a
 * liquid rate. Without gas lift: the liquid's gradient plus friction. With it, above the
 * valve the gas (formation and injected, at the column's mean pressure) lightens the
 * mixture — a slip factor keeps the liquid from getting all the benefit — and speeds it
 * up, so friction grows with the gas: past some injection rate more gas lifts less.
 */
export function columnPressure(design: WellDesign, rate: number, injectionRate: number, flowlinePressure: number): number {
  const lift = design.gasLift;
  if (!lift) return design.fluidGradient * design.perforationDepth + design.tubingFriction * rate * rate;
  const injectedPerLiquid = injectionRate <= 0 ? 0 : rate > 0 ? (injectionRate * 1000) / rate : Number.POSITIVE_INFINITY;
  const gasPerLiquid = design.gasOilRatio * (1 - design.waterCut) + injectedPerLiquid; // Sm³/m³
  const meanPressure = (flowlinePressure + lift.injectionPressure) / 2;
  const inSitu = Math.min(1e6, gasPerLiquid * (1.013 / meanPressure) * 1.15); // m³ of gas per m³ of liquid, ~60 °C
  const above = (design.fluidGradient / (1 + 0.33 * inSitu)) * lift.valveDepth;
  const below = design.fluidGradient * (design.perforationDepth - lift.valveDepth);
  return below + above + design.tubingFriction * rate * rate * (1 + inSitu);
}

/**
 * The rate at which the reservoir's inflow meets what the well can lift: inflow falls
 * with rate (IPR), the pressure needed at the bottom rises with it (column, friction,
 * choke), the pump adds head, injected gas lightens the column. The balance is
 * monotonic in rate, so bisection finds it.
 */
export function operatingRate(
  design: WellDesign,
  flowlinePressure: number,
  chokeOpening: number,
  frequency: number,
  injectionRate = 0,
): number {
  if (chokeOpening <= 0.5) return 0;
  const choke = design.chokeCoefficient * (chokeOpening / 100);
  const balance = (q: number) => {
    const inflow = design.reservoirPressure - q / design.productivityIndex;
    const needed = flowlinePressure + (q / choke) ** 2 + columnPressure(design, q, injectionRate, flowlinePressure);
    return inflow + pumpHead(design, q, frequency) - needed;
  };
  if (balance(0) <= 0) return 0;
  let lo = 0;
  let hi = design.reservoirPressure * design.productivityIndex;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (balance(mid) > 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function initialWellState(design: WellDesign): WellState {
  return {
    liquidRate: 0,
    oilRate: 0,
    waterRate: 0,
    gasRate: 0,
    tubingPressure: Math.max(0, design.reservoirPressure - design.fluidGradient * design.perforationDepth),
    casingPressure: 5,
    bottomholePressure: design.reservoirPressure,
    flowlineTemperature: 20,
    chokePosition: 0,
    oilTotal: 0,
    gasInjectionRate: 0,
    esp: {
      frequency: 0,
      running: false,
      tripped: false,
      intakePressure: design.reservoirPressure,
      dischargePressure: design.reservoirPressure,
      pumpHead: 0,
      motorTemperature: design.reservoirTemperature,
      runHours: 0,
    },
  };
}

/** Advances one well by `dt` seconds. */
export function stepWell(
  design: WellDesign,
  controls: WellControls,
  state: WellState,
  env: { flowlinePressure: number; ambient: number },
  dt: number,
): WellState {
  const esp = { ...state.esp };
  if (design.esp) {
    if (!controls.espRun) esp.tripped = false; // a stop command resets a trip, as on a real drive
    esp.running = controls.espRun && !esp.tripped;
    // Drives ramp at about 1 Hz/s, up and down.
    esp.frequency = ramp(esp.frequency, esp.running ? controls.espFrequencySetpoint : 0, dt, 1);
  }
  const chokePosition = ramp(state.chokePosition, controls.ssvOpen ? controls.chokeSetpoint : 0, dt, 2);
  const open = controls.ssvOpen ? chokePosition : 0;
  // The injection choke's controller settles the gas rate within a minute or so.
  const gasInjectionRate = design.gasLift ? Math.max(0, lag(state.gasInjectionRate, controls.gasInjectionSetpoint, dt, 30)) : 0;
  const target = operatingRate(design, env.flowlinePressure, open, esp.frequency, gasInjectionRate);
  // The column takes a while to accelerate: rate follows its balance with a ~20 s lag.
  const liquidRate = Math.max(0, lag(state.liquidRate, target, dt, 20));
  const bottomhole = design.reservoirPressure - liquidRate / design.productivityIndex;
  const choke = (design.chokeCoefficient * Math.max(open, 0.5)) / 100;
  const tubingPressure =
    open > 0.5
      ? env.flowlinePressure + (liquidRate / choke) ** 2
      : Math.max(env.flowlinePressure, bottomhole + pumpHead(design, 0, esp.frequency) - design.fluidGradient * design.perforationDepth);
  // The pump sits above the perforations: its intake sees the bottom-hole pressure less that column.
  const intake = bottomhole - design.fluidGradient * (design.perforationDepth - design.pumpDepth);
  const head = pumpHead(design, liquidRate, esp.frequency);
  if (design.esp) {
    esp.intakePressure = Math.max(0, intake);
    esp.dischargePressure = Math.max(0, intake + head);
    esp.pumpHead = head;
    // Motor heat: ~ load², cooled by the flow passing the motor; lags over minutes.
    const load = (head * liquidRate) / (design.esp.shutoffHead * design.esp.maxRate * 0.25);
    const cooling = 1 + 150 / (liquidRate + 50);
    esp.motorTemperature = lag(esp.motorTemperature, design.reservoirTemperature + (esp.running ? 20 * load * load * cooling : 0), dt, 300);
    if (esp.running) esp.runHours += dt / 3600;
    // Protection: pump-off (intake below 10 bar) or an overheating motor trips the drive.
    if (esp.running && esp.frequency > 30 && (esp.intakePressure < 10 || esp.motorTemperature > 150)) esp.tripped = true;
  }
  const flowing = 1 - Math.exp(-liquidRate / 80);
  const oilRate = liquidRate * (1 - design.waterCut);
  return {
    liquidRate,
    oilRate,
    waterRate: liquidRate * design.waterCut,
    // The separator measures the injected gas too: it comes back with the well's stream.
    gasRate: (oilRate * design.gasOilRatio) / 1000 + (liquidRate > 0 ? gasInjectionRate : 0),
    tubingPressure,
    casingPressure: casingPressure(design, intake, tubingPressure, gasInjectionRate),
    bottomholePressure: bottomhole,
    flowlineTemperature: lag(state.flowlineTemperature, env.ambient + (design.reservoirTemperature - env.ambient) * 0.8 * flowing, dt, 120),
    chokePosition,
    oilTotal: state.oilTotal + (oilRate * dt) / 86_400,
    gasInjectionRate,
    esp,
  };
}

/** An ESP well's annulus sees the intake; a gas-lifted one the injection header while it injects. */
function casingPressure(design: WellDesign, intake: number, tubingPressure: number, gasInjectionRate: number): number {
  if (design.esp) return Math.max(1, 0.45 * intake + 1);
  if (design.gasLift && gasInjectionRate > 0.1) return design.gasLift.injectionPressure - 0.01 * gasInjectionRate ** 2;
  return Math.max(1, 0.8 * tubingPressure + 4);
}
