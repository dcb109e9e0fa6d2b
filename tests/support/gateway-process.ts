import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logsDir, repoRoot } from '../../local-dev/services/paths.ts';
import { freePort } from './function-process.ts';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<number | null>;
}

/** `node gateway/main.ts`, as the chart's gateway container runs it; resolves once /readyz answers 200. */
export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<GatewayProcess> {
  const port = await freePort();
  mkdirSync(logsDir, { recursive: true });
  const logFile = join(logsDir, `gateway-${port}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [join(repoRoot, 'gateway', 'main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/readyz`);
      last = await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway not ready within ${timeoutMs} ms (${last}); see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    url,
    logFile,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
