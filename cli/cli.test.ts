import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../runtime/load-function.ts';
import { checkConfig } from './config-command.ts';
import { newFunction } from './new-function.ts';

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
    expect(await checkConfig()).toMatch(/^ok {7}assets\nok {7}tag-rules\nok {7}alarm-rules\nok {7}channels\nok {7}well-models$/);
  });
});
