import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EdgeSummary } from '../../edge-adapter/edge-adapter.ts';
import type { EdgeHealth } from '../../edge-adapter/ops/edge-health.ts';
import { logsDir, repoRoot } from '../../local-dev/services/paths.ts';
import { until } from './kafka.ts';

/** `node edge-adapter/main.ts --config <file>` as its own process, as on a pad's gateway box. */
export interface EdgeProcess {
  readonly child: ChildProcess;
  /** /healthz, or undefined while it does not answer; throws once the process has exited. */
  health(): Promise<EdgeHealth | undefined>;
  /** Waits until /healthz satisfies `predicate`. */
  healthWhen(what: string, predicate: (h: EdgeHealth) => boolean, timeoutMs?: number): Promise<EdgeHealth>;
  /** SIGTERM; resolves with the exit code and the run's own account of what it read (its last log line). */
  stop(): Promise<{ code: number | null; summary: EdgeSummary | undefined; logFile: string }>;
  /** SIGKILL: no summary, no flush beyond what the buffer already committed. */
  kill(): Promise<void>;
}

export function startEdgeProcess(options: {
  configFile: string;
  httpPort: number;
  name: string;
  /** Another process built on the adapter (edge-site/main.ts), its extra arguments and environment. */
  script?: string;
  args?: string[];
  env?: Record<string, string>;
}): EdgeProcess {
  const script = options.script ?? join(repoRoot, 'edge-adapter', 'main.ts');
  const child = spawn(process.execPath, [script, '--config', options.configFile, ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logFile = join(logsDir, `${options.name}.log`);
  const keepLog = () => {
    mkdirSync(logsDir, { recursive: true });
    writeFileSync(logFile, output);
  };
  const health = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      keepLog();
      throw new Error(`adapter ${options.name} exited (${child.exitCode ?? child.signalCode}); see ${logFile}`);
    }
    try {
      return (await (await fetch(`http://127.0.0.1:${options.httpPort}/healthz`)).json()) as EdgeHealth;
    } catch {
      return undefined;
    }
  };
  return {
    child,
    health,
    healthWhen: (what, predicate, timeoutMs = 120_000) =>
      until(
        async () => {
          const h = await health();
          return h && predicate(h) ? h : undefined;
        },
        what,
        timeoutMs,
      ),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      keepLog();
      const line = output.split('\n').find((l) => l.includes('"edge adapter stopped"'));
      return { code, summary: line ? (JSON.parse(line) as EdgeSummary) : undefined, logFile };
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      keepLog();
    },
  };
}
