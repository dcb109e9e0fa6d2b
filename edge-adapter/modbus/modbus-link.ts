import modbusSerial from 'modbus-serial';
import type { Logger } from 'pino';
import type { ModbusFailure } from '../../contracts/quality.ts';
import type { ModbusDevice } from '../config/modbus-device.ts';

// A CommonJS package: at run time the default import is the client class itself, and its
// typings describe that class as the module's `default`, which the package also sets.
const ModbusRTU = modbusSerial.default;
export type ModbusClient = InstanceType<typeof ModbusRTU>;

/** A failed Modbus exchange, classified the way the quality scale needs it. */
export class ModbusRequestError extends Error {
  readonly failure: ModbusFailure;
  /** False when nothing went on the wire: the link is waiting out its reconnect back-off. */
  readonly attempted: boolean;

  constructor(failure: ModbusFailure, message: string, options?: { cause?: unknown; attempted?: boolean }) {
    super(message, options);
    this.name = 'ModbusRequestError';
    this.failure = failure;
    this.attempted = options?.attempted ?? true;
  }
}

export function classifyModbusError(error: unknown): ModbusRequestError {
  if (error instanceof ModbusRequestError) return error;
  const e = error as { modbusCode?: number; errno?: string; name?: string; message?: string } | undefined;
  const message = e?.message ?? String(error);
  if (typeof e?.modbusCode === 'number') return new ModbusRequestError('exception', message, { cause: error });
  if (e?.errno === 'ETIMEDOUT' || e?.name === 'TransactionTimedOutError' || /timed out/i.test(message)) {
    return new ModbusRequestError('timeout', message, { cause: error });
  }
  return new ModbusRequestError('connection', message, { cause: error });
}

/** What identifies one physical connection; devices that share it share the link. */
export function linkKey(device: ModbusDevice): string {
  return device.transport === 'rtu' ? `rtu:${device.serial?.path}` : `${device.transport}:${device.host}:${device.port}`;
}

const connectTimeoutMs = 5_000;

/**
 * One connection to a Modbus endpoint: a TCP socket, an RTU-over-TCP socket or a serial
 * line. Several devices (unit ids) behind one gateway or on one RS-485 bus share it,
 * and requests are strictly one at a time, as RTU requires and most gateways prefer.
 * A lost or failed connection is reopened on the next request, no sooner than the
 * back-off allows, so a dead device costs one failed attempt per back-off period.
 */
export class ModbusLink {
  private readonly endpoint: ModbusDevice;
  private readonly log: Logger;
  private client: ModbusClient | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private retryAt = 0;
  private backoffMs = 0;
  private closed = false;

  constructor(endpoint: ModbusDevice, log: Logger) {
    this.endpoint = endpoint;
    this.log = log.child({ link: linkKey(endpoint) });
  }

  get connected(): boolean {
    return this.client?.isOpen === true;
  }

  /** Runs one exchange with `unitId`, after those queued before it. */
  run<T>(unitId: number, timeoutMs: number, exchange: (client: ModbusClient) => Promise<T>): Promise<T> {
    const task = this.queue.then(async () => {
      const client = await this.open();
      client.setID(unitId);
      client.setTimeout(timeoutMs);
      try {
        return await exchange(client);
      } catch (error) {
        const classified = classifyModbusError(error);
        if (classified.failure === 'connection') this.drop(classified.message);
        throw classified;
      }
    });
    this.queue = task.catch(() => {});
    return task;
  }

  /** After repeated timeouts: a half-open socket or an RTU line out of step is best reopened. */
  reset(reason: string): void {
    this.queue = this.queue.then(() => this.drop(reason));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const client = this.client;
    this.client = undefined;
    if (client?.isOpen) await new Promise<void>((resolve) => client.close(() => resolve()));
  }

  private async open(): Promise<ModbusClient> {
    if (this.closed) throw new ModbusRequestError('connection', 'the link is closed');
    if (this.client?.isOpen) return this.client;
    if (Date.now() < this.retryAt) {
      throw new ModbusRequestError('connection', `not connected; next attempt in ${Math.ceil((this.retryAt - Date.now()) / 1000)} s`, {
        attempted: false,
      });
    }
    const client = new ModbusRTU();
    // A socket error with no request pending would otherwise be an unhandled 'error' event.
    client.on('error', (error: unknown) => this.log.debug({ err: error }, 'modbus connection error'));
    try {
      await withTimeout(this.connect(client), connectTimeoutMs, `no connection within ${connectTimeoutMs} ms`);
    } catch (error) {
      client.close(() => {});
      this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 1_000), 30_000);
      this.retryAt = Date.now() + this.backoffMs;
      throw new ModbusRequestError('connection', `cannot connect to ${linkKey(this.endpoint)}: ${(error as Error).message ?? error}`, {
        cause: error,
      });
    }
    this.backoffMs = 0;
    this.retryAt = 0;
    this.client = client;
    this.log.info('modbus link connected');
    return client;
  }

  private connect(client: ModbusClient): Promise<void> {
    const d = this.endpoint;
    switch (d.transport) {
      case 'tcp':
        return client.connectTCP(d.host ?? '', { port: d.port });
      case 'rtu-over-tcp':
        // RTU frames (CRC, no MBAP header) on a TCP socket: modbus-serial calls this port
        // "telnet"; its "TcpRTUBuffered" port speaks Modbus TCP framing despite the name.
        return client.connectTelnet(d.host ?? '', { port: d.port });
      case 'rtu': {
        const serial = d.serial;
        if (!serial) throw new Error('rtu transport without serial settings');
        return client.connectRTUBuffered(serial.path, {
          baudRate: serial.baudRate,
          parity: serial.parity,
          dataBits: serial.dataBits,
          stopBits: serial.stopBits,
        });
      }
    }
  }

  private drop(reason: string): void {
    const client = this.client;
    this.client = undefined;
    if (client) {
      this.log.warn({ reason }, 'modbus link lost; reconnecting on the next request');
      client.close(() => {});
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
