import type { ModbusTable } from '../config/modbus-device.ts';
import type { Endianness, ModbusDataType } from '../modbus/register-codec.ts';

/** One value the simulated devices expose: where it sits and how it is encoded. */
export interface RegisterPoint {
  unit: number;
  table: ModbusTable;
  address: number;
  type: ModbusDataType;
  byteOrder: Endianness;
  wordOrder: Endianness;
  /** Raw = (value - offset) / scale, as on the device; the adapter's tag config mirrors it. */
  scale: number;
  offset: number;
  /** A well-pad value name, or fixed text for string registers. */
  source: string;
  text?: string;
  length?: number;
  /** A setpoint: writes go to the well pad. */
  writable?: boolean;
}

/** The wellhead RTU (unit 1): float32 word-swapped (CDAB), as many RTUs and flow computers send them. */
export const wellheadUnit = 1;
/** The ESP's variable speed drive (unit 2): scaled 16-bit integers, big-endian, as drives do. */
export const espUnit = 2;

const cdab = { byteOrder: 'big', wordOrder: 'little' } as const;
const abcd = { byteOrder: 'big', wordOrder: 'big' } as const;

const rtuFloat = (address: number, source: string): RegisterPoint => ({
  unit: wellheadUnit,
  table: 'input-register',
  address,
  type: 'float32',
  ...cdab,
  scale: 1,
  offset: 0,
  source,
});

const wellFloats = ['TubingPressure', 'CasingPressure', 'FlowlineTemperature', 'OilRate', 'GasRate', 'WaterRate', 'ChokePosition'];

export const registerMap: readonly RegisterPoint[] = [
  // Wellhead RTU — input registers 0–27: both wells, float32 CDAB.
  ...wellFloats.map((name, i) => rtuFloat(i * 2, `W1.${name}`)),
  ...wellFloats.map((name, i) => rtuFloat(14 + i * 2, `W2.${name}`)),
  // Totalisers in hundredths of m³ (uint32 CDAB), ambient in tenths of °C (int16), line pressure in hundredths of bar.
  { unit: wellheadUnit, table: 'input-register', address: 30, type: 'uint32', ...cdab, scale: 0.01, offset: 0, source: 'W1.OilTotal' },
  { unit: wellheadUnit, table: 'input-register', address: 32, type: 'uint32', ...cdab, scale: 0.01, offset: 0, source: 'W2.OilTotal' },
  {
    unit: wellheadUnit,
    table: 'input-register',
    address: 40,
    type: 'int16',
    ...abcd,
    scale: 0.1,
    offset: 0,
    source: 'Pad.AmbientTemperature',
  },
  {
    unit: wellheadUnit,
    table: 'input-register',
    address: 41,
    type: 'uint16',
    ...abcd,
    scale: 0.01,
    offset: 0,
    source: 'Pad.FlowlinePressure',
  },
  { unit: wellheadUnit, table: 'input-register', address: 50, type: 'uint32', ...cdab, scale: 1, offset: 0, source: 'Pad.UptimeSeconds' },
  // Choke setpoints in tenths of a percent (holding, writable); firmware text.
  {
    unit: wellheadUnit,
    table: 'holding-register',
    address: 0,
    type: 'uint16',
    ...abcd,
    scale: 0.1,
    offset: 0,
    source: 'W1.ChokeSetpoint',
    writable: true,
  },
  {
    unit: wellheadUnit,
    table: 'holding-register',
    address: 1,
    type: 'uint16',
    ...abcd,
    scale: 0.1,
    offset: 0,
    source: 'W2.ChokeSetpoint',
    writable: true,
  },
  {
    unit: wellheadUnit,
    table: 'holding-register',
    address: 100,
    type: 'string',
    ...abcd,
    scale: 1,
    offset: 0,
    source: 'firmware',
    text: 'FLW-RTU 4.2.1',
    length: 8,
  },
  // Surface safety valves (coils, writable) and the pad's emergency states (discrete inputs).
  { unit: wellheadUnit, table: 'coil', address: 0, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'W1.SSVOpen', writable: true },
  { unit: wellheadUnit, table: 'coil', address: 1, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'W2.SSVOpen', writable: true },
  { unit: wellheadUnit, table: 'discrete-input', address: 0, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'Pad.ESDActive' },
  { unit: wellheadUnit, table: 'discrete-input', address: 1, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'Pad.GasDetectorAlarm' },

  // ESP drive — frequency setpoint in hundredths of Hz (holding, writable), run command (coil, writable).
  {
    unit: espUnit,
    table: 'holding-register',
    address: 0,
    type: 'uint16',
    ...abcd,
    scale: 0.01,
    offset: 0,
    source: 'ESP.FrequencySetpoint',
    writable: true,
  },
  { unit: espUnit, table: 'coil', address: 0, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'ESP.Run', writable: true },
  { unit: espUnit, table: 'discrete-input', address: 0, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'ESP.Running' },
  { unit: espUnit, table: 'discrete-input', address: 1, type: 'bool', ...abcd, scale: 1, offset: 0, source: 'ESP.Tripped' },
  { unit: espUnit, table: 'input-register', address: 0, type: 'uint16', ...abcd, scale: 0.01, offset: 0, source: 'ESP.Frequency' },
  { unit: espUnit, table: 'input-register', address: 1, type: 'uint16', ...abcd, scale: 0.1, offset: 0, source: 'ESP.MotorCurrent' },
  { unit: espUnit, table: 'input-register', address: 2, type: 'uint16', ...abcd, scale: 1, offset: 0, source: 'ESP.MotorVoltage' },
  { unit: espUnit, table: 'input-register', address: 3, type: 'int16', ...abcd, scale: 0.1, offset: 0, source: 'ESP.MotorTemperature' },
  { unit: espUnit, table: 'input-register', address: 4, type: 'uint16', ...abcd, scale: 0.01, offset: 0, source: 'ESP.IntakePressure' },
  { unit: espUnit, table: 'input-register', address: 5, type: 'uint16', ...abcd, scale: 0.01, offset: 0, source: 'ESP.DischargePressure' },
  { unit: espUnit, table: 'input-register', address: 6, type: 'uint16', ...abcd, scale: 0.01, offset: 0, source: 'ESP.Vibration' },
  { unit: espUnit, table: 'input-register', address: 8, type: 'uint32', ...abcd, scale: 0.1, offset: 0, source: 'ESP.RunHours' },
  { unit: espUnit, table: 'input-register', address: 10, type: 'float32', ...abcd, scale: 1, offset: 0, source: 'ESP.Power' },
  { unit: espUnit, table: 'input-register', address: 12, type: 'float64', ...abcd, scale: 1, offset: 0, source: 'ESP.Energy' },
];
