import { connect, createServer, type Server, type Socket } from 'node:net';
import { modbusCrc } from './modbus-crc.ts';

/**
 * Serves Modbus RTU framing over TCP (what serial device servers in "transparent" mode
 * speak) by translating each RTU frame to Modbus TCP for the simulator, and back. Lets
 * the adapter's rtu-over-tcp transport be tested against real bytes on a socket.
 */
export class RtuOverTcpGateway {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly target: { host: string; port: () => number };

  constructor(target: { host: string; port: () => number }) {
    this.target = target;
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  listen(host: string, port: number): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    const upstream = connect(this.target.port(), this.target.host);
    this.sockets.add(upstream);
    let rtu = Buffer.alloc(0);
    let tcp = Buffer.alloc(0);
    let transaction = 0;
    const closeBoth = () => {
      socket.destroy();
      upstream.destroy();
      this.sockets.delete(socket);
      this.sockets.delete(upstream);
    };
    socket.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
    socket.on('data', (chunk) => {
      rtu = Buffer.concat([rtu, chunk]);
      for (let length = rtuRequestLength(rtu); length > 0 && rtu.length >= length; length = rtuRequestLength(rtu)) {
        const frame = rtu.subarray(0, length);
        rtu = rtu.subarray(length);
        if (modbusCrc(frame.subarray(0, -2)) !== frame.readUInt16LE(length - 2)) continue; // a corrupt frame gets no answer, as on a line
        const pdu = frame.subarray(0, -2); // unit + function + data
        const mbap = Buffer.alloc(6);
        mbap.writeUInt16BE(++transaction & 0xffff, 0);
        mbap.writeUInt16BE(pdu.length, 4);
        upstream.write(Buffer.concat([mbap, pdu]));
      }
    });
    upstream.on('data', (chunk) => {
      tcp = Buffer.concat([tcp, chunk]);
      while (tcp.length >= 6 && tcp.length >= 6 + tcp.readUInt16BE(4)) {
        const pdu = tcp.subarray(6, 6 + tcp.readUInt16BE(4));
        tcp = tcp.subarray(6 + pdu.length);
        const crc = Buffer.alloc(2);
        crc.writeUInt16LE(modbusCrc(pdu));
        socket.write(Buffer.concat([pdu, crc]));
      }
    });
  }
}

/** The length of the RTU request at the head of `buffer`, or 0 when not yet known. */
function rtuRequestLength(buffer: Buffer): number {
  if (buffer.length < 2) return 0;
  const fc = buffer[1] ?? 0;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buffer.length >= 7 ? 9 + (buffer[6] ?? 0) : 0;
  return buffer.length; // unknown function: pass it on whole and let the device refuse it
}
