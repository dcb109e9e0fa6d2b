import { createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { checkKafkaAccess } from './access-check.ts';
import { isKafkaAccessError } from './kafka-access-error.ts';

/**
 * What is not a refusal stays a broker that is away: the process carries on and its clients
 * retry. Real sockets on loopback; the refusals themselves are shown against a real broker
 * in tests/integration/kafka-security.test.ts.
 */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A listener that accepts and at once closes every connection: a proxy in front of a broker that is down. */
async function closingListener(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const port = await closingListener();
  await new Promise((resolve) => servers.pop()?.close(resolve));
  return port;
}

function recordingLog() {
  const lines: { msg: string; reason?: string }[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('the start-up Kafka access check', () => {
  it('carries on when nothing listens: unreachable, a warning, no error', async () => {
    const { log, lines } = recordingLog();
    const result = await checkKafkaAccess({ brokers: [`127.0.0.1:${await freePort()}`], clientId: 't' }, { log });
    expect(result.reachable).toBe(false);
    expect(lines.map((l) => l.msg)).toEqual(['Kafka not reachable at start; carrying on, the clients retry']);
  });

  it('carries on when every connection is closed at once, naming the likely setting', async () => {
    const { log, lines } = recordingLog();
    const result = await checkKafkaAccess({ brokers: [`127.0.0.1:${await closingListener()}`], clientId: 't' }, { log });
    expect(result.reachable).toBe(false);
    expect(!result.reachable && isKafkaAccessError(result.error) && result.error.reason).toBe('listener-closes-at-once');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/closes every connection at once: if its listener expects TLS, set KAFKA_SSL=true and KAFKA_SSL_CA_FILE/);
  });

  it('says a TLS client cut off before its handshake may be talking to a plaintext listener', async () => {
    const { log, lines } = recordingLog();
    const result = await checkKafkaAccess({ brokers: [`127.0.0.1:${await closingListener()}`], clientId: 't', ssl: true }, { log });
    expect(!result.reachable && isKafkaAccessError(result.error) && result.error.reason).toBe('listener-is-not-tls');
    expect(lines[0]?.msg).toMatch(/cuts the TLS handshake \(ECONNRESET\): if it is a plaintext listener, set KAFKA_SSL=false/);
  });
});
