import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { redisServerBin } from '../../local-dev/services/redis.ts';
import { until } from './kafka.ts';

/** A server certificate and key, and the CA that signed it (PEM files), for a Redis that speaks TLS only. */
export interface RedisTls {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/**
 * A Redis of one test's own, on its own port, that the test may kill and bring back (empty: no
 * persistence). With `tls`, that port speaks TLS only (no plaintext port), clients unauthenticated.
 */
export class OwnRedis {
  private server: ChildProcess | undefined;
  readonly port: number;
  private readonly tls: RedisTls | undefined;
  constructor(port: number, options: { tls?: RedisTls } = {}) {
    this.port = port;
    this.tls = options.tls;
  }

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const listen = this.tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.tls.certFile, '--tls-key-file', this.tls.keyFile]
      : ['--port', String(this.port)];
    const tlsClients = this.tls ? ['--tls-ca-cert-file', this.tls.caFile, '--tls-auth-clients', 'no'] : [];
    this.server = spawn(redisServerBin(), [...listen, ...tlsClients, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const tls = this.tls ? { tls: { ca: readFileSync(this.tls.caFile) } } : {};
    const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 100, ...tls });
    client.on('error', () => {}); // refused until the server listens
    await until(async () => (await client.ping().catch(() => undefined)) === 'PONG', `Redis on ${this.url}`);
    client.disconnect();
  }

  /** SIGKILL: gone at once, as a crashed node. */
  async kill(): Promise<void> {
    const s = this.server;
    if (!s || s.exitCode !== null) return;
    const gone = new Promise((resolve) => s.once('exit', resolve));
    s.kill('SIGKILL');
    await gone;
  }
}
