import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, logsDir, repoRoot } from './paths.ts';
import { freePort, log, run, ServiceError, sleep, tailOf, which } from './process.ts';

const moduleDir = join(repoRoot, 'local-dev', 'daprd');
export const daprVersion = /github\.com\/dapr\/dapr v([0-9.]+)/.exec(readFileSync(join(moduleDir, 'go.mod'), 'utf8'))?.[1] ?? 'unknown';

/**
 * The real Dapr sidecar, built from the Go module proxy once and cached: `go install`
 * refuses dapr (its go.mod has replace directives), so local-dev/daprd is a module of
 * our own that requires dapr and repeats them. `stablecomponents` registers the
 * components (without it daprd panics at start). Cold: about 5–9 minutes, 2 GB RAM.
 */
export function installDaprd(): string {
  const binary = join(cacheDir, `daprd-${daprVersion}`, 'daprd');
  if (existsSync(binary)) return binary;
  if (!which('go')) throw new ServiceError('building daprd needs Go 1.24+: install it from go.dev or your package manager');
  mkdirSync(join(cacheDir, `daprd-${daprVersion}`), { recursive: true });
  log(`building daprd ${daprVersion} from the Go module proxy (first time only, several minutes)`);
  const partial = `${binary}.partial`;
  run(
    'go',
    [
      'build',
      '-tags',
      'stablecomponents',
      '-trimpath',
      '-ldflags',
      `-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=${daprVersion}`,
      '-o',
      partial,
      'github.com/dapr/dapr/cmd/daprd',
    ],
    { cwd: moduleDir, what: `building daprd ${daprVersion}` },
  );
  renameSync(partial, binary);
  return binary;
}

export interface DaprdOptions {
  appId: string;
  appPort: number;
  httpPort: number;
  grpcPort: number;
  /** daprd's internal gRPC port (it listens on every interface); a free one when not given. */
  internalGrpcPort?: number;
  /** Folder with component YAMLs (pub/sub, state, resiliency). */
  resourcesPath: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface Daprd {
  readonly process: ChildProcess;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Starts a self-hosted daprd on loopback (no placement, no scheduler) and waits until it is healthy. */
export async function startDaprd(options: DaprdOptions): Promise<Daprd> {
  const binary = installDaprd();
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `daprd-${options.appId}-${options.httpPort}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const args = [
    '--app-id',
    options.appId,
    '--app-port',
    String(options.appPort),
    '--app-protocol',
    'http',
    '--dapr-http-port',
    String(options.httpPort),
    '--dapr-grpc-port',
    String(options.grpcPort),
    '--dapr-internal-grpc-port',
    // Asked of the kernel, not grpcPort + 1: that one may be anybody's (daprd then exits at start).
    String(options.internalGrpcPort ?? (await freePort())),
    '--dapr-listen-addresses',
    '127.0.0.1',
    '--enable-metrics=false',
    '--placement-host-address',
    '',
    '--scheduler-host-address',
    '',
    '--resources-path',
    options.resourcesPath,
    '--log-level',
    options.logLevel ?? 'info',
    '--app-health-check-path',
    '/healthz',
    ...(options.configFile ? ['--config', options.configFile] : []),
  ];
  const child = spawn(binary, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new ServiceError(`daprd exited during start-up (code ${child.exitCode}).${tailOf(logFile)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${options.httpPort}/v1.0/healthz`);
      if (res.status === 204) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new ServiceError(`daprd did not become healthy within 60 s.${tailOf(logFile)}`);
    }
    await sleep(250);
  }
  return {
    process: child,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      out.end();
    },
  };
}
