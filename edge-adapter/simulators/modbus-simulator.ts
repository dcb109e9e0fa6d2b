import type { Server, Socket } from 'node:net';
import modbusSerial from 'modbus-serial';
import type { Fault } from './faults.ts';
import { ModbusImage } from './modbus-image.ts';
import { RtuOverTcpGateway } from './rtu-over-tcp-gateway.ts';
import type { WellPad } from './well-pad.ts';

const { ServerTCP } = modbusSerial;
type ServerTcp = InstanceType<typeof ServerTCP>;

/** A unit id that never answers: a dead RTU behind the gateway, for timeout tests. */
export const silentUnit = 99;

export interface ModbusRequestRecord {
  unitId: number;
  functionCode: number;
  address: number;
  quantity: number;
}

export interface ModbusSimulatorOptions {
  pad: WellPad;
  host?: string;
  /** Modbus TCP port (default 5020); 0 picks a free one. */
  port?: number;
  /** Also serve RTU framing over TCP on this port (0 picks a free one). */
  rtuOverTcpPort?: number;
}

/**
 * The pad's Modbus devices on one TCP port (unit 1 wellhead RTU, unit 2 ESP drive), as
 * behind an Ethernet gateway, optionally with an RTU-over-TCP port too. Every request
 * on the wire is logged, so a test can count exactly what the adapter asked for.
 */
export class ModbusSimulator {
  readonly image: ModbusImage;
  readonly requests: ModbusRequestRecord[] = [];
  private readonly options: ModbusSimulatorOptions;
  private server: ServerTcp | undefined;
  private gateway: RtuOverTcpGateway | undefined;
  private boundPort = 0;
  private reopenTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: ModbusSimulatorOptions) {
    this.options = options;
    this.image = new ModbusImage(options.pad);
  }

  get port(): number {
    return this.boundPort;
  }

  get rtuOverTcpPort(): number {
    return this.gateway?.port ?? 0;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  async start(): Promise<void> {
    this.boundPort = await this.listen(this.options.port ?? 5020);
    if (this.options.rtuOverTcpPort !== undefined) {
      this.gateway = new RtuOverTcpGateway({ host: this.host, port: () => this.boundPort });
      await this.gateway.listen(this.host, this.options.rtuOverTcpPort);
    }
    this.unsubscribe = this.options.pad.faults.onFault((fault: Fault) => {
      if (fault.kind === 'disconnect' && (fault.target === '*' || fault.target === 'modbus'))
        void this.disconnect(fault.until - Date.now());
    });
  }

  /** Drops every connection and refuses new ones for `durationMs`, then listens again on the same port. */
  async disconnect(durationMs: number): Promise<void> {
    clearTimeout(this.reopenTimer);
    await this.closeServer();
    this.reopenTimer = setTimeout(() => void this.listen(this.boundPort).catch(() => {}), Math.max(0, durationMs));
  }

  async stop(): Promise<void> {
    clearTimeout(this.reopenTimer);
    this.unsubscribe?.();
    await this.gateway?.close();
    await this.closeServer();
  }

  private async listen(port: number): Promise<number> {
    const image = this.image;
    // Callback style, so that a request to the silent unit can go unanswered: the client times out.
    type Done<T> = (error: Error | null, value: T) => void;
    const answer = <T>(unit: number, done: Done<T>, work: () => T) => {
      if (unit === silentUnit) return;
      let value: T;
      try {
        value = work();
      } catch (error) {
        // modbus-serial answers with the error's modbusErrorCode (4, device failure, when it has none).
        done(error as Error, undefined as T);
        return;
      }
      done(null, value);
    };
    const vector = {
      getMultipleHoldingRegisters: (addr: number, length: number, unit: number, done: Done<number[]>) =>
        answer(unit, done, () => image.readRegisters(unit, 'holding-register', addr, length)),
      getHoldingRegister: (addr: number, unit: number, done: Done<number>) =>
        answer(unit, done, () => image.readRegisters(unit, 'holding-register', addr, 1)[0] ?? 0),
      getMultipleInputRegisters: (addr: number, length: number, unit: number, done: Done<number[]>) =>
        answer(unit, done, () => image.readRegisters(unit, 'input-register', addr, length)),
      getInputRegister: (addr: number, unit: number, done: Done<number>) =>
        answer(unit, done, () => image.readRegisters(unit, 'input-register', addr, 1)[0] ?? 0),
      getCoil: (addr: number, unit: number, done: Done<boolean>) => answer(unit, done, () => image.readBit(unit, 'coil', addr)),
      getDiscreteInput: (addr: number, unit: number, done: Done<boolean>) =>
        answer(unit, done, () => image.readBit(unit, 'discrete-input', addr)),
      setRegister: (addr: number, value: number, unit: number, done: (error: Error | null) => void) =>
        answer(unit, done, () => image.writeRegisters(unit, addr, [value])),
      setRegisterArray: (addr: number, values: number[], unit: number, done: (error: Error | null) => void) =>
        answer(unit, done, () => image.writeRegisters(unit, addr, values)),
      setCoil: (addr: number, value: boolean, unit: number, done: (error: Error | null) => void) =>
        answer(unit, done, () => image.writeBit(unit, addr, value)),
    };
    const host = this.host;
    const server = new ServerTCP(vector, { host, port: port === 0 ? await freeLoopbackPort(host) : port, unitID: 255 });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', reject);
    });
    server.on('socketError', () => {}); // a client that vanished mid-request is not our problem
    // modbus-serial keeps its net.Server private; the wire log needs the raw frames.
    const net = (server as unknown as { _server: Server })._server;
    net.on('connection', (socket: Socket) => this.logRequests(socket));
    this.server = server;
    const address = net.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  private logRequests(socket: Socket): void {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 6 && buffer.length >= 6 + buffer.readUInt16BE(4)) {
        const frame = buffer.subarray(0, 6 + buffer.readUInt16BE(4));
        buffer = buffer.subarray(frame.length);
        if (frame.length >= 12) {
          const functionCode = frame[7] ?? 0;
          const quantity = functionCode === 5 || functionCode === 6 ? 1 : frame.readUInt16BE(10);
          this.requests.push({ unitId: frame[6] ?? 0, functionCode, address: frame.readUInt16BE(8), quantity });
        }
      }
    });
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function freeLoopbackPort(host: string): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
