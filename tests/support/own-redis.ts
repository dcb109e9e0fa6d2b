import { type ChildProcess, spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { redisServerBin } from '../../local-dev/services/redis.ts';
import { until } from './kafka.ts';

/** A Redis of one test's own, on its own port, that the test may kill and bring back (empty: no persistence). */
export class OwnRedis {
  private server: ChildProcess | undefined;
  readonly port: number;
  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = spawn(redisServerBin(), ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => 100 });
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
