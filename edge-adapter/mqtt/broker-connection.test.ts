import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttConnection } from '../config/mqtt-connection.ts';
import { BrokerConnection } from './broker-connection.ts';

/** A loopback "broker" that accepts each TCP connection and closes it at once, noting when. */
let server: Server;
const attempts: number[] = [];
beforeAll(async () => {
  server = createServer((socket) => {
    attempts.push(Date.now());
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('BrokerConnection', () => {
  it('retries a broker that hangs up with a back-off that doubles up to its maximum, and says why it is down', async () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const connection = new BrokerConnection({
      connection: MqttConnection.parse({
        id: 'b',
        protocol: 'mqtt',
        url: `mqtt://127.0.0.1:${port}`,
        reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
      }),
      clientId: 'backoff-test',
      log: pino({ level: 'silent' }),
    });
    const states: (string | undefined)[] = [];
    connection.onState((connected, reason) => states.push(connected ? 'connected' : reason));
    connection.start();
    await new Promise((r) => setTimeout(r, 2_500));
    await connection.stop();
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] ?? t));
    // 100, 200, 400, 400, … ms between attempts (plus the time each attempt takes): lower bounds only, the machine may be busy.
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.length).toBeLessThanOrEqual(9); // a fixed 100 ms loop would make 25
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    for (const gap of gaps.slice(2)) expect(gap).toBeGreaterThanOrEqual(390);
    expect(states.length).toBe(attempts.length);
    expect(states.every((s) => s !== 'connected' && typeof s === 'string')).toBe(true);
    const count = attempts.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(attempts.length).toBe(count); // stopped means stopped
  });
});
