import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';
import { ModbusDataTypes, registerCount } from '../modbus/register-codec.ts';
import { engineeringFields } from './engineering-fields.ts';
import { reportRepeatedTagIds } from './repeated-values.ts';

const Endianness = z.enum(['big', 'little']);

/** The four Modbus data tables, named as in the spec; each is read with its own function code. */
export const ModbusTable = z.enum(['coil', 'discrete-input', 'holding-register', 'input-register']);
export type ModbusTable = z.infer<typeof ModbusTable>;

export const ModbusTag = z
  .object({
    id: Identifier,
    table: ModbusTable,
    address: z.number().int().min(0).max(65535).describe('0-based protocol address (register 40001 is holding-register 0)'),
    type: z.enum(ModbusDataTypes).optional().describe('bool for coils and discrete inputs; required for registers'),
    length: z.number().int().min(1).max(125).optional().describe('registers of a string'),
    bit: z.number().int().min(0).max(15).optional().describe('a bool packed in one bit of a register'),
    byteOrder: Endianness.optional(),
    wordOrder: Endianness.optional(),
    ...engineeringFields,
  })
  .strict()
  .superRefine((tag, ctx) => {
    const bitTable = tag.table === 'coil' || tag.table === 'discrete-input';
    if (bitTable && tag.type !== undefined && tag.type !== 'bool') {
      ctx.addIssue({ code: 'custom', path: ['type'], message: 'coils and discrete inputs hold one bit: use type bool or leave type out' });
    }
    if (!bitTable && tag.type === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'a register needs a type: bool, int16, uint16, int32, uint32, float32, float64 or string',
      });
    }
    if (tag.type === 'string' && tag.length === undefined) {
      ctx.addIssue({ code: 'custom', path: ['length'], message: 'a string needs length: how many registers it spans (2 characters each)' });
    }
    if (tag.type !== 'string' && tag.length !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['length'], message: 'length applies to strings only; other types have a fixed width' });
    }
    if (tag.bit !== undefined && (bitTable || tag.type !== 'bool')) {
      ctx.addIssue({ code: 'custom', path: ['bit'], message: 'bit applies to a bool read from a register' });
    }
    if (tag.writable) {
      if (tag.table === 'input-register' || tag.table === 'discrete-input') {
        ctx.addIssue({
          code: 'custom',
          path: ['writable'],
          message: `${tag.table}s are read-only in Modbus: only coils and holding registers can be written`,
        });
      }
      if (tag.type === 'string') ctx.addIssue({ code: 'custom', path: ['writable'], message: 'string tags cannot be written' });
      if (tag.bit !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['writable'],
          message:
            'a bit inside a register cannot be written without a read-modify-write that races the PLC: map the setpoint to a coil or a whole register',
        });
      }
    }
  });
export type ModbusTag = z.infer<typeof ModbusTag>;

const SerialLine = z
  .object({
    path: z.string().min(1).describe('e.g. /dev/ttyUSB0'),
    baudRate: z.number().int().positive().default(9600),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  })
  .strict();

export const ModbusDevice = z
  .object({
    id: Identifier,
    protocol: z.literal('modbus'),
    transport: z.enum(['tcp', 'rtu-over-tcp', 'rtu']).default('tcp'),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(502),
    serial: SerialLine.optional(),
    unitId: z.number().int().min(0).max(255).default(1),
    pollIntervalMs: z.number().int().min(10).max(3_600_000).default(1000),
    timeoutMs: z.number().int().min(50).max(60_000).default(1000),
    retries: z.number().int().min(0).max(10).default(2),
    byteOrder: Endianness.default('big'),
    wordOrder: Endianness.default('big'),
    /** Some devices accept fewer than the protocol's 125 registers per read. */
    maxRegistersPerRequest: z.number().int().min(1).max(125).default(125),
    maxBitsPerRequest: z.number().int().min(1).max(2000).default(2000),
    /** Unmapped registers a read may span to merge two groups; 0 reads only mapped ones. */
    maxGap: z.number().int().min(0).max(124).default(0),
    /** Write with FC15/FC16 even for a single coil or register (devices without FC5/FC6). */
    writeMultiple: z.boolean().default(false),
    tags: z.array(ModbusTag).min(1, 'a device needs at least one tag'),
  })
  .strict()
  .superRefine((device, ctx) => {
    if (device.transport === 'rtu' && !device.serial) {
      ctx.addIssue({
        code: 'custom',
        path: ['serial'],
        message: 'transport rtu needs serial: { path, baudRate, parity, dataBits, stopBits }',
      });
    }
    if (device.transport !== 'rtu' && !device.host) {
      ctx.addIssue({ code: 'custom', path: ['host'], message: `transport ${device.transport} needs host (and port, default 502)` });
    }
    if (device.transport !== 'tcp' && (device.unitId < 1 || device.unitId > 247)) {
      ctx.addIssue({ code: 'custom', path: ['unitId'], message: 'an RTU unit id is 1–247 (0 is broadcast, which never answers)' });
    }
    reportRepeatedTagIds(ctx, device.tags);
    device.tags.forEach((tag, index) => {
      const width = tag.type === undefined ? 1 : registerCount({ type: tag.type, length: tag.length });
      const bitTable = tag.table === 'coil' || tag.table === 'discrete-input';
      if (!bitTable && width > device.maxRegistersPerRequest) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', index],
          message: `spans ${width} registers, more than maxRegistersPerRequest (${device.maxRegistersPerRequest})`,
        });
      }
      if (tag.address + width > 65536)
        ctx.addIssue({ code: 'custom', path: ['tags', index, 'address'], message: 'runs past register 65535' });
    });
  });
export type ModbusDevice = z.infer<typeof ModbusDevice>;
