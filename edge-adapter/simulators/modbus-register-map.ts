import type { ModbusTable } from '../config/modbus-device.ts';
import type { Endianness, ModbusDataType } from '../modbus/register-codec.ts';
import { espWellIds, type WellId, wellIds } from './well-pad.ts';

/** One value the simulated devices expose: where it sits and how it is encoded. */
export interface RegisterPoint {
  unit: number;
  table: ModbusTable;
  address: number;
  type: ModbusDataType;
  byteOrder: Endianness;
  wordOrder: Endianness;
  /** Raw = (value - offset) / scale, in the device's own units (bar, °C, m³/d). */
  scale: number;
  offset: number;
  /** A well-pad value name, or fixed text for string registers. */
  source: string;
  text?: string;
  length?: number;
  /** A setpoint: writes go to the well pad. */
  writable?: boolean;
}

/** Each well's RTU answers as its own unit id behind the pad's Ethernet gateway: W1 → 1 … W4 → 4. */
export const rtuUnits: Record<WellId, number> = { W1: 1, W2: 2, W3: 3, W4: 4 };
/** The unit that also serves the self-test vectors, the scratch memory and the benchmark block. */
export const wellheadUnit = 1;

const cdab = { byteOrder: 'big', wordOrder: 'little' } as const;
const abcd = { byteOrder: 'big', wordOrder: 'big' } as const;

/**
 * One wellhead RTU's map (the same RTU model on every well). Its own measurements are
 * float32 word-swapped (CDAB), as many RTUs and flow computers send them; the ESP
 * drive's values, which the RTU polls over RS-485 and republishes, keep the drive's
 * scaled 16-bit integers, big-endian. A gas-lifted well's RTU has no drive: it reads the
 * injection meter and the downhole gauge instead, and sets the injection controller.
 */
function rtuMap(well: WellId): RegisterPoint[] {
  const unit = rtuUnits[well];
  const point = (
    table: ModbusTable,
    address: number,
    type: ModbusDataType,
    source: string,
    extra: Partial<RegisterPoint> = {},
  ): RegisterPoint => ({
    unit,
    table,
    address,
    type,
    ...abcd,
    scale: 1,
    offset: 0,
    source: source.startsWith('Pad.') ? source : `${well}.${source}`,
    ...extra,
  });
  const float = (address: number, source: string) => point('input-register', address, 'float32', source, cdab);
  const esp = (espWellIds as readonly WellId[]).includes(well);
  return [
    // Input registers 0–13: the well, float32 CDAB, in bar, °C, m³/d, kSm³/d and %.
    float(0, 'TubingPressure'),
    float(2, 'CasingPressure'),
    float(4, 'FlowlineTemperature'),
    float(6, 'OilRate'),
    float(8, 'GasRate'),
    float(10, 'WaterRate'),
    float(12, 'ChokePosition'),
    // Totaliser in hundredths of m³ (uint32 CDAB), ambient in tenths of °C, line pressure in hundredths of bar, uptime.
    point('input-register', 20, 'uint32', 'OilTotal', { ...cdab, scale: 0.01 }),
    point('input-register', 30, 'int16', 'Pad.AmbientTemperature', { scale: 0.1 }),
    point('input-register', 31, 'uint16', 'Pad.FlowlinePressure', { scale: 0.01 }),
    point('input-register', 40, 'uint32', 'Pad.UptimeSeconds', cdab),
    ...(esp
      ? [
          // Input registers 100–115: the ESP drive.
          point('input-register', 100, 'uint16', 'EspFrequency', { scale: 0.01 }),
          point('input-register', 101, 'uint16', 'EspMotorCurrent', { scale: 0.1 }),
          point('input-register', 102, 'uint16', 'EspMotorVoltage'),
          point('input-register', 103, 'int16', 'EspMotorTemperature', { scale: 0.1 }),
          point('input-register', 104, 'uint16', 'EspIntakePressure', { scale: 0.01 }),
          point('input-register', 105, 'uint16', 'EspDischargePressure', { scale: 0.01 }),
          point('input-register', 106, 'uint16', 'EspVibration', { scale: 0.01 }),
          point('input-register', 108, 'uint32', 'EspRunHours', { scale: 0.1 }),
          point('input-register', 110, 'float32', 'EspPower'),
          point('input-register', 112, 'float64', 'EspEnergy'),
          point('holding-register', 10, 'uint16', 'EspFrequencySetpoint', { scale: 0.01, writable: true }),
          point('coil', 1, 'bool', 'EspRun', { writable: true }),
          point('discrete-input', 0, 'bool', 'EspRunning'),
          point('discrete-input', 1, 'bool', 'EspTripped'),
        ]
      : [
          // Input registers 120–123: injection gas meter (kSm³/d) and downhole gauge (bar), float32 CDAB.
          float(120, 'GasInjectionRate'),
          float(122, 'BottomholePressure'),
          point('holding-register', 20, 'uint16', 'GasInjectionSetpoint', { scale: 0.01, writable: true }),
        ]),
    // Holding registers: setpoints (writable) and the firmware text.
    point('holding-register', 0, 'uint16', 'ChokeSetpoint', { scale: 0.1, writable: true }),
    point('holding-register', 100, 'string', 'firmware', { text: 'FLW-RTU 4.2.1', length: 8 }),
    // Coils: the surface safety valve (writable). Discrete inputs: pad states.
    point('coil', 0, 'bool', 'SSVOpen', { writable: true }),
    point('discrete-input', 2, 'bool', 'Pad.ESDActive'),
    point('discrete-input', 3, 'bool', 'Pad.GasDetectorAlarm'),
  ];
}

export const registerMap: readonly RegisterPoint[] = wellIds.flatMap(rtuMap);
