import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logsDir, stateDir } from './paths.ts';
import {
  ensureAptPackages,
  envPort,
  isAlive,
  isRoot,
  log,
  portOpen,
  readPid,
  ServiceError,
  startDaemon,
  stopDaemon,
  waitForPort,
  which,
} from './process.ts';

export interface MosquittoService {
  url: string;
  port: number;
  started: boolean;
}

const pidFile = () => join(stateDir, 'mosquitto', 'mosquitto.pid');
const configFile = () => join(stateDir, 'mosquitto', 'mosquitto.conf');
const logFile = () => join(logsDir, 'mosquitto.log');

/** Debian's broker (mosquitto 2.0), installed with apt-get when missing. It lives in /usr/sbin, which a user's PATH may lack. */
export function mosquittoBin(): string {
  const find = () => which('mosquitto') ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : undefined);
  let bin = find();
  if (!bin) {
    ensureAptPackages(['mosquitto'], 'Mosquitto (an MQTT broker) for the tests');
    bin = find();
  }
  if (!bin) throw new ServiceError('mosquitto not found after installing it');
  return bin;
}

/**
 * The lines every broker of ours starts with: no persistence to disk (tests own all its
 * data), the log on stderr (our log file), and as root no switch to the `mosquitto`
 * user, who could not read the clone's state directory.
 */
export function mosquittoBaseConfig(): string[] {
  return ['persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', ...(isRoot() ? ['user root'] : [])];
}

/** A Mosquitto on loopback, anonymous and plain: the integration tests' broker. */
export async function startMosquitto(options: { port?: number } = {}): Promise<MosquittoService> {
  const port = options.port ?? envPort('FLOWLINE_MOSQUITTO_PORT', 11883);
  const url = `mqtt://127.0.0.1:${port}`;
  if (isAlive(readPid(pidFile())) && (await portOpen(port))) return { url, port, started: false };
  if (await portOpen(port)) {
    throw new ServiceError(`port ${port} is taken by something that is not our Mosquitto: set FLOWLINE_MOSQUITTO_PORT to a free port`);
  }
  const bin = mosquittoBin();
  mkdirSync(join(stateDir, 'mosquitto'), { recursive: true });
  writeFileSync(configFile(), [...mosquittoBaseConfig(), `listener ${port} 127.0.0.1`, 'allow_anonymous true', ''].join('\n'));
  log(`starting Mosquitto on ${url}`);
  const pid = startDaemon({ command: bin, args: ['-c', configFile()], logFile: logFile(), pidFile: pidFile() });
  await waitForPort(port, { what: `Mosquitto on ${url}`, pid, logFile: logFile(), timeoutMs: 20_000 });
  return { url, port, started: true };
}

export function stopMosquitto(): Promise<boolean> {
  return stopDaemon(pidFile(), 5_000);
}
