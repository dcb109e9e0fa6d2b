import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../runtime/load-function.ts';
import { checkConfig } from './config-command.ts';
import { newFunction } from './new-function.ts';

describe('npm run flowline', () => {
  it('starts under plain Node, as users run it (vitest resolves modules more leniently)', () => {
    // Found by a bench: a named import kafkajs (CommonJS) does not expose to Node's ESM loader
    // broke every command, while the tests, importing the same modules through vitest, passed.
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(import.meta.dirname, 'flowline.ts'), ...args], { encoding: 'utf8' });
    const usage = cli('help');
    expect(usage.stderr).not.toMatch(/SyntaxError/);
    expect([usage.status, usage.stdout + usage.stderr]).toEqual([2, expect.stringContaining('topics apply')]);
    expect(cli('config', 'check').status).toBe(0);
  });
});

describe('flowline new function', () => {
  it('creates a folder whose manifest the runtime accepts', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flowline-cli-'));
    const dir = await newFunction(root, [
      'flare-watch',
      '--subscribes',
      'scada.alarms',
      '--publishes',
      'system.audit-log',
      '--description',
      'Watches flare alarms.',
    ]);
    expect(dir).toBe(join(root, 'functions', 'flare-watch'));
    const manifest = await loadManifest(dir);
    expect(manifest).toMatchObject({
      name: 'flare-watch',
      subscribes: ['scada.alarms'],
      publishes: ['system.audit-log'],
      description: 'Watches flare alarms.',
    });
    expect(readFileSync(join(dir, 'handler.ts'), 'utf8')).toContain("defineFunction({ 'scada.alarms': topics['scada.alarms'] }");
    expect(existsSync(join(dir, 'handler.test.ts'))).toBe(true);
  });

  it('refuses a name that cannot be an app id, a topic without a schema, and an existing folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'flowline-cli-'));
    await expect(newFunction(root, ['Flare_Watch'])).rejects.toThrow('name: a DNS label');
    await expect(newFunction(root, ['flare', '--subscribes', 'nowhere.at.all'])).rejects.toThrow(
      '"nowhere.at.all" is not a topic of contracts/topics.ts',
    );
    await newFunction(root, ['flare']);
    await expect(newFunction(root, ['flare'])).rejects.toThrow('already exists');
  });
});

describe('flowline config check', () => {
  it('validates every example document', async () => {
    expect(await checkConfig()).toMatch(
      /^ok {7}assets\nok {7}tag-rules\nok {7}alarm-rules\nok {7}channels\nok {7}well-models\nok {7}well-status-rules\nok {7}production-accounting\nok {7}well-test-rules$/,
    );
  });
});
