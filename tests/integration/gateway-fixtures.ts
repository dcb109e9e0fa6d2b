import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dump, load } from 'js-yaml';
import { hashPassword } from '../../gateway/auth/password-hash.ts';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';

/**
 * What the gateway's integration tests share: a run's own copies of the functions (so
 * their consumer groups and Dapr app ids are the run's, on a broker other tests use
 * too), its configuration documents, and the gateway as its own process.
 */
export interface GatewayRun {
  id: string;
  tenantId: string;
  wells: [string, string];
  devices: [string, string];
  configDir: string;
  functionsDir: string;
  /** `validate-<id>` and so on. */
  fn(name: 'validate' | 'alarm' | 'notify' | 'persist'): string;
}

export function prepareRun(id: string, functions: ('validate' | 'alarm' | 'notify' | 'persist')[]): GatewayRun {
  const base = join(stateDir, 'tmp', `gateway-${id}`);
  const configDir = join(base, 'config');
  const functionsDir = join(base, 'functions');
  mkdirSync(configDir, { recursive: true });
  const run: GatewayRun = {
    id,
    tenantId: `t-${id}`,
    wells: [`w-${id}-1`, `w-${id}-2`],
    devices: [`rtu-${id}-1`, `rtu-${id}-2`],
    configDir,
    functionsDir,
    fn: (name) => `${name}-${id}`,
  };
  writeFileSync(
    join(configDir, 'assets.yaml'),
    `tenants: [{ id: ${run.tenantId}, name: Gateway test }]
fields: [{ id: f-${id}, name: Field, tenantId: ${run.tenantId} }]
wells:
  - { id: ${run.wells[0]}, name: Well-1, fieldId: f-${id} }
  - { id: ${run.wells[1]}, name: Well-2, fieldId: f-${id} }
devices:
  - { id: ${run.devices[0]}, wellId: ${run.wells[0]} }
  - { id: ${run.devices[1]}, wellId: ${run.wells[1]} }
`,
  );
  writeFileSync(join(configDir, 'tag-rules.yaml'), 'tags:\n  - { tagId: tubing_pressure, unit: psi, range: { min: 0, max: 5000 } }\n');
  writeFileSync(
    join(configDir, 'alarm-rules.yaml'),
    'flood: { maxRaisedPerMinute: 100 }\nrules:\n  - { tagId: tubing_pressure, unit: psi, limits: { HH: 1450, H: 1200 }, deadband: 25 }\n',
  );
  writeFileSync(join(configDir, 'channels.yaml'), 'channels: []\nroutes: []\n');
  for (const name of functions) {
    // The real handler, re-exported under the run's name: its consumer group and app id are the run's.
    const dir = join(functionsDir, run.fn(name));
    mkdirSync(dir, { recursive: true });
    const manifest = load(readFileSync(join(repoRoot, 'functions', name, 'function.yaml'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'function.yaml'), dump({ ...manifest, name: run.fn(name) }));
    writeFileSync(
      join(dir, 'handler.ts'),
      `export { default } from '${relative(dir, join(repoRoot, 'functions', name, 'handler.ts'))}';\n`,
    );
  }
  return run;
}

/** A users file (scrypt hashes) and an API keys file for the gateway process. */
export async function writeCredentials(run: GatewayRun, password: string, apiKey: { key: string; sha256: string }) {
  const hash = await hashPassword(password);
  const usersFile = join(run.configDir, 'users.yaml');
  writeFileSync(
    usersFile,
    dump({
      users: ['operator', 'supervisor', 'viewer'].map((role) => ({
        username: `${role}-${run.id}`,
        passwordHash: hash,
        role,
        tenantId: run.tenantId,
      })),
    }),
  );
  const keysFile = join(run.configDir, 'api-keys.yaml');
  writeFileSync(keysFile, dump({ keys: [{ id: `edge-${run.id}`, sha256: apiKey.sha256, role: 'scada', tenantId: run.tenantId }] }));
  return { usersFile, keysFile };
}

export { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.ts';
