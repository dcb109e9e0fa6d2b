import { join } from 'node:path';
import { logsDir, stateDir } from './paths.ts';
import {
  ensureAptPackages,
  envPort,
  isAlive,
  log,
  portOpen,
  readPid,
  ServiceError,
  startDaemon,
  stopDaemon,
  waitForPort,
  which,
} from './process.ts';

export interface RedisService {
  url: string;
  port: number;
  started: boolean;
}

const pidFile = () => join(stateDir, 'redis', 'redis.pid');
const logFile = () => join(logsDir, 'redis.log');

export function redisServerBin(): string {
  let bin = which('redis-server');
  if (!bin) {
    ensureAptPackages(['redis-server'], 'Redis for the tests');
    bin = which('redis-server');
  }
  if (!bin) throw new ServiceError('redis-server not found after installing it');
  return bin;
}

/** A Redis on loopback with no persistence: tests own all its data. */
export async function startRedis(options: { port?: number } = {}): Promise<RedisService> {
  const port = options.port ?? envPort('FLOWLINE_REDIS_PORT', 16379);
  const url = `redis://127.0.0.1:${port}`;
  if (isAlive(readPid(pidFile())) && (await portOpen(port))) return { url, port, started: false };
  if (await portOpen(port)) {
    throw new ServiceError(`port ${port} is taken by something that is not our Redis: set FLOWLINE_REDIS_PORT to a free port`);
  }
  const bin = redisServerBin();
  log(`starting Redis on ${url}`);
  const pid = startDaemon({
    command: bin,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
    ],
    logFile: logFile(),
    pidFile: pidFile(),
  });
  await waitForPort(port, { what: `Redis on ${url}`, pid, logFile: logFile(), timeoutMs: 20_000 });
  return { url, port, started: true };
}

export function stopRedis(): Promise<boolean> {
  return stopDaemon(pidFile(), 5_000);
}
