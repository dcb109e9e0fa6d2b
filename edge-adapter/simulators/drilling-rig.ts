import { lag, ramp } from './noise.ts';

export type RigActivity = 'drilling' | 'connection';

/** Activity codes as the rig's PLC reports them. */
export const rigActivityCode: Record<RigActivity, number> = { drilling: 1, connection: 2 };

export interface RigControls {
  rotarySpeedSetpoint: number; // rpm
  pumpRateSetpoint: number; // L/min
}

export interface RigState {
  activity: RigActivity;
  phaseSeconds: number; // time in the current activity
  bitDepth: number; // m
  holeDepth: number;
  blockHeight: number; // m above the rig floor
  weightOnBit: number; // kN
  rotarySpeed: number; // rpm
  torque: number; // kN·m
  pumpRate: number; // L/min
  mudFlowOut: number; // L/min, the flow-line meter's reading
  drillingSeconds: number; // time spent drilling, which schedules the kicks
  standpipePressure: number; // bar
  rateOfPenetration: number; // m/h
  hookLoad: number; // kN
  mudPitVolume: number; // m³
}

const blockWeight = 350; // kN: travelling block and top drive
const stringWeightPerMetre = 0.29; // kN/m of drill pipe in air
const buoyancy = 0.85; // 1.2 SG mud
const jointLength = 9.5; // m drilled between connections
const connectionSeconds = 180;
// Now and then the bit opens a zone a little above the mud's pressure: a small kick, 300 L/min
// (79 gpm) of influx for 4 minutes (1.2 m³, 7.5 bbl) in every 30 minutes of drilling, which the
// driller then stops. The drilling function's kick watch sees the flow after its confirmation
// time; the pits alone stay under its threshold. The pad's 20-minute warm-up (well-pad.ts) ends
// 23 minutes into a cycle's drilling: `npm start` shows the first kick about 3 minutes in.
const kickEverySeconds = 1_800;
const kickStartsAt = 1_380;
const kickSeconds = 240;
const kickInfluxLitresPerMinute = 300;
// The annulus draining back while the pumps are off at a connection: 0.01 m³/s for a minute.
const flowbackLitresPerMinute = 600;

export function initialRigState(startDepth = 2150): RigState {
  return {
    activity: 'drilling',
    phaseSeconds: 0,
    bitDepth: startDepth,
    holeDepth: startDepth,
    blockHeight: 2 + jointLength,
    weightOnBit: 0,
    rotarySpeed: 0,
    torque: 0,
    pumpRate: 0,
    mudFlowOut: 0,
    drillingSeconds: 0,
    standpipePressure: 0,
    rateOfPenetration: 0,
    hookLoad: blockWeight + stringWeightPerMetre * buoyancy * startDepth,
    mudPitVolume: 85,
  };
}

/**
 * A top-drive rig drilling joint by joint: drill 9.5 m on bottom (weight on bit, rotary,
 * pumps on), then a connection (off bottom, pumps off, in slips so the hook carries only
 * the block, block back up, pumps on again). Rate of penetration follows weight and
 * rotary speed over a formation whose drillability changes with depth.
 */
export function stepRig(state: RigState, controls: RigControls, dt: number): RigState {
  const s = { ...state, phaseSeconds: state.phaseSeconds + dt };
  const stringWeight = stringWeightPerMetre * buoyancy * s.bitDepth;
  if (s.activity === 'drilling') {
    s.pumpRate = ramp(s.pumpRate, controls.pumpRateSetpoint, dt, 400);
    s.rotarySpeed = ramp(s.rotarySpeed, controls.rotarySpeedSetpoint, dt, 20);
    const targetWob = s.pumpRate > 0.8 * controls.pumpRateSetpoint ? 120 : 0;
    s.weightOnBit = lag(s.weightOnBit, targetWob, dt, 10);
    const drillability = 0.9 + 0.3 * Math.sin(s.bitDepth / 40); // harder and softer layers
    s.rateOfPenetration = (0.0018 * s.weightOnBit * s.rotarySpeed * drillability) / 1;
    const drilled = (s.rateOfPenetration / 3600) * dt;
    s.bitDepth += drilled;
    s.holeDepth = Math.max(s.holeDepth, s.bitDepth);
    s.blockHeight -= drilled;
    s.mudPitVolume -= drilled * 0.02; // the new hole fills with mud
    s.drillingSeconds += dt;
    const inKick =
      s.drillingSeconds % kickEverySeconds >= kickStartsAt && s.drillingSeconds % kickEverySeconds < kickStartsAt + kickSeconds;
    const influx = inKick ? kickInfluxLitresPerMinute : 0;
    s.mudPitVolume += (influx / 60_000) * dt;
    s.mudFlowOut = s.pumpRate + influx;
    s.hookLoad = blockWeight + stringWeight - s.weightOnBit;
    if (s.blockHeight <= 2) {
      s.activity = 'connection';
      s.phaseSeconds = 0;
    }
  } else {
    s.weightOnBit = lag(s.weightOnBit, 0, dt, 3);
    s.rateOfPenetration = 0;
    s.rotarySpeed = ramp(s.rotarySpeed, 0, dt, 40);
    const pumping = s.phaseSeconds > connectionSeconds - 30;
    s.pumpRate = ramp(s.pumpRate, pumping ? controls.pumpRateSetpoint : 0, dt, 400);
    const inSlips = s.phaseSeconds > 30 && s.phaseSeconds < connectionSeconds - 30;
    if (inSlips) s.blockHeight = ramp(s.blockHeight, 2 + jointLength, dt, 0.15);
    // Off bottom the hook carries the whole string; in slips only the block.
    s.hookLoad = inSlips ? blockWeight : blockWeight + stringWeight;
    // Mud drains back to the pits while the pumps are off.
    const drainingBack = !pumping && s.phaseSeconds < 60;
    if (drainingBack) s.mudPitVolume += (flowbackLitresPerMinute / 60_000) * dt;
    s.mudFlowOut = drainingBack ? flowbackLitresPerMinute : s.pumpRate;
    if (s.phaseSeconds >= connectionSeconds) {
      s.activity = 'drilling';
      s.phaseSeconds = 0;
      s.blockHeight = 2 + jointLength;
    }
  }
  s.torque = s.rotarySpeed > 0 ? 2 + 0.06 * s.weightOnBit * (0.5 + s.rotarySpeed / 240) : 0;
  // Pump pressure: bit nozzles and annulus, ~ flow², plus friction growing with depth.
  s.standpipePressure = s.pumpRate > 0 ? 0.00004 * s.pumpRate ** 2 * (1 + s.bitDepth / 10_000) : 0;
  return s;
}
