import { makeEUInformation, standardUnits } from 'node-opcua';

type EU = ReturnType<typeof makeEUInformation>;
const kilonewton = makeEUInformation('B47', 'kN', 'kilonewton');
const kilonewtonMetre = makeEUInformation('B48', 'kN·m', 'kilonewton metre');
const litrePerMinute = makeEUInformation('L2', 'L/min', 'litre per minute');
const metrePerHour = makeEUInformation('M60', 'm/h', 'metre per hour');
const cubicMetrePerDay = makeEUInformation('G52', 'm³/d', 'cubic metre per day');
const thousandStdCubicMetrePerDay = makeEUInformation('SMQ', 'kSm³/d', 'thousand standard cubic metres per day');

/** One OPC UA variable of the simulated pad, an AnalogItem whose EURange makes percent deadbands meaningful. */
export interface OpcUaPoint {
  /** Also the NodeId: ns=1;s=<name>. */
  name: string;
  unit: EU;
  range: [number, number];
  writable?: boolean;
}

/** The drilling rig's PLC and the production separator, as an OPC UA server exposes them. */
export const opcUaPoints: readonly OpcUaPoint[] = [
  { name: 'Rig.Activity', unit: makeEUInformation('C62', '', 'one'), range: [0, 3] },
  { name: 'Rig.BitDepth', unit: standardUnits.metre, range: [0, 6000] },
  { name: 'Rig.HoleDepth', unit: standardUnits.metre, range: [0, 6000] },
  { name: 'Rig.BlockHeight', unit: standardUnits.metre, range: [0, 40] },
  { name: 'Rig.HookLoad', unit: kilonewton, range: [0, 4500] },
  { name: 'Rig.WeightOnBit', unit: kilonewton, range: [0, 400] },
  { name: 'Rig.RotarySpeed', unit: standardUnits.revolutions_per_minute, range: [0, 250] },
  { name: 'Rig.RotarySpeedSetpoint', unit: standardUnits.revolutions_per_minute, range: [0, 200], writable: true },
  { name: 'Rig.Torque', unit: kilonewtonMetre, range: [0, 60] },
  { name: 'Rig.StandpipePressure', unit: standardUnits.bar, range: [0, 500] },
  { name: 'Rig.MudFlowIn', unit: litrePerMinute, range: [0, 4000] },
  { name: 'Rig.MudFlowOut', unit: litrePerMinute, range: [0, 4000] },
  { name: 'Rig.PumpRateSetpoint', unit: litrePerMinute, range: [0, 3500], writable: true },
  { name: 'Rig.RateOfPenetration', unit: metrePerHour, range: [0, 100] },
  { name: 'Rig.MudPitVolume', unit: standardUnits.cubic_metre, range: [0, 200] },
  { name: 'Separator.Pressure', unit: standardUnits.bar, range: [0, 20] },
  { name: 'Separator.Temperature', unit: standardUnits.degree_celsius, range: [0, 120] },
  { name: 'Separator.LiquidLevel', unit: standardUnits.percent, range: [0, 100] },
  { name: 'Separator.OilRate', unit: cubicMetrePerDay, range: [0, 2000] },
  { name: 'Separator.WaterRate', unit: cubicMetrePerDay, range: [0, 2000] },
  { name: 'Separator.GasRate', unit: thousandStdCubicMetrePerDay, range: [0, 200] },
];
