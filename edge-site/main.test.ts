import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The start-up refusals of `npm run edge:site`: each names what is wrong and what to do, nothing started. */
const dir = mkdtempSync(join(tmpdir(), 'edge-site-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const device = `devices:
  - id: rtu-n01
    protocol: modbus
    host: 127.0.0.1
    port: 5020
    unitId: 1
    tags: [{ id: tubing_pressure, table: input-register, address: 0, type: float32 }]
`;

function run(config: string | undefined, env: Record<string, string> = {}, args: string[] = []) {
  const argv = [join(import.meta.dirname, 'main.ts')];
  if (config !== undefined) {
    const file = join(dir, `site-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, config);
    argv.push('--config', file);
  }
  const { GATEWAY_USERS_FILE: _, ...rest } = process.env;
  return spawnSync(process.execPath, [...argv, ...args], { env: { ...rest, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('edge-site/main.ts refuses to start', () => {
  it('without --config', () => {
    const r = run(undefined);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--config is required');
  });

  it('without a central Kafka to forward to', () => {
    const r = run(`site: pad-7\n${device}`, {}, ['--demo-users']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/kafka: missing; a site forwards every sample to the central cluster/);
  });

  it('for devices the asset registry does not know (validate would dead-letter every sample)', () => {
    const r = run(`site: pad-7\nkafka: { brokers: [127.0.0.1:9] }\n${device.replace('rtu-n01', 'rtu-nowhere')}`, {}, ['--demo-users']);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/none of the site's devices \(rtu-nowhere\) is in the asset registry/);
  });

  it('without users for the console, unless the demo users are asked for', () => {
    const r = run(`site: pad-7\nkafka: { brokers: [127.0.0.1:9] }\n${device}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/GATEWAY_USERS_FILE: not set; .*--demo-users/);
  });
});
