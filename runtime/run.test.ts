import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');

/** The container entrypoint itself, as the chart starts it. */
function runFunction(dir: string, env: Record<string, string>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_URL|DATABASE_URL|FLOWLINE_|KAFKA_)/.test(k)));
  return spawnSync(process.execPath, [join(repoRoot, 'runtime', 'run.ts'), dir], {
    cwd: repoRoot,
    env: { ...clean, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('node runtime/run.ts', () => {
  it('refuses to start persist on the kafka host without DATABASE_URL, naming the variable (no silent stand-in)', () => {
    const result = runFunction('functions/persist', { FLOWLINE_HOST: 'kafka', KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL is not set: persist needs PostgreSQL');
  });

  it('refuses memory:// for Redis on the dapr host', () => {
    const result = runFunction('functions/validate', { FLOWLINE_HOST: 'dapr', REDIS_URL: 'memory://' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('REDIS_URL=memory:// is an in-process stand-in, for FLOWLINE_HOST=memory only');
  });
});
