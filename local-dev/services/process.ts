import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';

/** A service that could not be installed or started; the message says what to do. */
export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Runs a command to completion; on failure the error carries the tail of its output. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; what?: string } = {}): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new ServiceError(`${options.what ?? command}: could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new ServiceError(`${options.what ?? command}: \`${command} ${args.join(' ')}\` exited with ${result.status}:\n${tail}`);
  }
  return result.stdout ?? '';
}

export function which(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

let aptUpdated = false;

/** Installs Debian packages when running as root; otherwise says exactly what to install. */
export function ensureAptPackages(packages: string[], why: string): void {
  if (!which('apt-get')) {
    throw new ServiceError(`${why} needs ${packages.join(', ')}, and this machine has no apt-get: install them with your package manager`);
  }
  if (!isRoot()) {
    throw new ServiceError(
      `${why} needs the Debian packages ${packages.join(', ')}: run \`sudo apt-get install -y ${packages.join(' ')}\` once`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log(`apt-get update (for ${packages.join(', ')})`);
    run('apt-get', ['update', '-qq'], { env, what: 'apt-get update' });
    aptUpdated = true;
  }
  log(`apt-get install ${packages.join(' ')}`);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, what: `installing ${packages.join(', ')}` });
}

export function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-running process detached from us, its output in `logFile`, its pid in `pidFile`. */
export function startDaemon(options: {
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}): number {
  mkdirSync(dirname(options.logFile), { recursive: true });
  mkdirSync(dirname(options.pidFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: options.env ?? process.env,
    cwd: options.cwd,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
  });
  closeSync(out);
  if (child.pid === undefined) throw new ServiceError(`could not start ${options.command}`);
  child.unref();
  writeFileSync(options.pidFile, String(child.pid));
  return child.pid;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopDaemon(pidFile: string, graceMs = 10_000): Promise<boolean> {
  const pid = readPid(pidFile);
  if (!isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid as number, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid as number, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return true;
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits for a port to accept connections; fails early, with the log's tail, if the process died. */
export async function waitForPort(
  port: number,
  options: { what: string; pid?: number; logFile?: string; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (await portOpen(port)) return;
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw new ServiceError(`${options.what} exited during start-up.${tailOf(options.logFile)}`);
    }
    await sleep(200);
  }
  throw new ServiceError(`${options.what} did not open port ${port} within ${options.timeoutMs ?? 60_000} ms.${tailOf(options.logFile)}`);
}

/**
 * Polls `ready` until it answers true; fails early, with the log's tail, if the process
 * died, and after `timeoutMs` otherwise. A `ready` that throws counts as not yet.
 */
export async function waitUntilReady(options: {
  what: string;
  pid: number | undefined;
  logFile: string;
  ready: () => Promise<boolean>;
  timeoutMs: number;
}): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (!isAlive(options.pid)) throw new ServiceError(`${options.what} exited during start-up.${tailOf(options.logFile)}`);
    if (await options.ready().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new ServiceError(`${options.what} was not ready within ${options.timeoutMs / 1000} s.${tailOf(options.logFile)}`);
    }
    await sleep(250);
  }
}

export function tailOf(file: string | undefined, lines = 20): string {
  if (!file || !existsSync(file)) return '';
  const text = readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  return `\n--- last lines of ${file} ---\n${text}`;
}

/** A port nothing listens on, on any interface, as the kernel hands out (there is a moment before the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free ports, for a service that takes its port and the next
 * (Kafka: its controller listens on port + 1). A free port's neighbour may be taken, most of
 * all on a busy machine where other tests hold ephemeral ports.
 */
export async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await freePort();
    if (first + count - 1 > 65_535) continue;
    let all = true;
    for (let p = first + 1; p < first + count && all; p++) all = await portFree(p);
    if (all) return first;
  }
  throw new Error(`found no ${count} consecutive free ports on 127.0.0.1 in 50 tries`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(message: string): void {
  process.stderr.write(`[local-dev] ${message}\n`);
}

export function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ServiceError(`${name} must be a TCP port (1–65535), got "${raw}"`);
  return port;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
