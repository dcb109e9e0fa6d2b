import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logsDir, repoRoot } from '../../local-dev/services/paths.ts';
import { freePort } from '../../local-dev/services/process.ts';

/** Re-exported: the tests ask for ports as local-dev does. */
export { freePort };

export interface FunctionProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logFile: string;
  /** Resolves once /readyz answers 200 (dependencies reachable, group joined). */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for a graceful exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process vanishes mid-work, as on an OOM kill or a node failure. */
  kill(): Promise<void>;
}

/** Runs `node runtime/run.ts <dir>` as its own process, exactly as a container would. */
export async function startFunctionProcess(options: {
  dir: string | string[];
  env: Record<string, string>;
  name?: string;
  port?: number;
}): Promise<FunctionProcess> {
  const port = options.port ?? (await freePort());
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `${options.name ?? 'function'}-${port}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [join(repoRoot, 'runtime', 'run.ts'), ...[options.dir].flat()], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    port,
    logFile,
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`function process exited with ${child.exitCode}; see ${logFile}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`function process not ready within ${timeoutMs} ms; see ${logFile}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
