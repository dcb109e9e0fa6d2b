import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from './lag-command.ts';

/** What the command says before it ever reaches Kafka (tests/integration/lag-kafka.test.ts covers the rest). */
describe('flowline lag, its arguments', () => {
  let dir: string;
  let errors: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowline-lag-'));
    mkdirSync(join(dir, 'validate'));
    writeFileSync(join(dir, 'validate', 'function.yaml'), 'name: validate\nsubscribes: [scada.telemetry.raw]\n');
    errors = [];
    vi.spyOn(console, 'error').mockImplementation((message: string) => void errors.push(message));
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its usage for --help', async () => {
    expect(await main(['--help'])).toBe(0);
  });

  it('rejects an unknown option with the usage', async () => {
    expect(await main(['--bogus'])).toBe(2);
    expect(errors.join('\n')).toMatch(/Unknown option '--bogus'[\s\S]*usage: flowline lag/);
  });

  it('rejects a malformed --current', async () => {
    expect(await main(['--functions', dir, '--current', 'validate:3'])).toBe(2);
    expect(errors.join('\n')).toContain('--current takes <function>=<replicas>');
  });

  it('names a --function that does not exist', async () => {
    expect(await main(['--functions', dir, '--function', 'nope'])).toBe(2);
    expect(errors.join('\n')).toContain('no function named nope');
  });

  it('names the environment variable that is wrong', async () => {
    vi.stubEnv('KAFKA_SASL_MECHANISM', 'kerberos');
    try {
      expect(await main(['--functions', dir])).toBe(2);
      expect(errors.join('\n')).toContain('KAFKA_SASL_MECHANISM');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
