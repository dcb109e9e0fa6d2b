import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { repoRoot, stateDir } from '../../local-dev/services/paths.ts';

/**
 * A tenant of one test run's own, so it can share a broker and a PostgreSQL server with
 * other runs: two wells with one RTU each, the example tag rules, a tubing-pressure alarm
 * (H 1200, HH 1450, deadband 25), a database of its own and a config folder for
 * FLOWLINE_CONFIG_DIR.
 */
export interface TestTenant {
  readonly id: string;
  readonly tenant: string;
  readonly devices: readonly [string, string];
  readonly configDir: string;
  /** The run's own database on the server `databaseUrl` named. */
  readonly databaseUrl: string;
}

export async function createTestTenant(options: { databaseUrl: string; prefix: string }): Promise<TestTenant> {
  const id = randomUUID().slice(0, 8);
  const tenant = `t-${id}`;
  const devices = [`rtu-${id}-1`, `rtu-${id}-2`] as const;
  const database = `${options.prefix}_${id}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(options.databaseUrl);
  url.pathname = `/${database}`;

  const configDir = join(stateDir, 'tmp', `${options.prefix}-${id}`);
  mkdirSync(configDir, { recursive: true });
  cpSync(join(repoRoot, 'config', 'examples', 'tag-rules.yaml'), join(configDir, 'tag-rules.yaml'));
  writeFileSync(
    join(configDir, 'assets.yaml'),
    `tenants: [{ id: ${tenant}, name: Test }]
fields: [{ id: f-${id}, name: Field, tenantId: ${tenant} }]
wells:
  - { id: w-${id}-1, name: Well-1, fieldId: f-${id} }
  - { id: w-${id}-2, name: Well-2, fieldId: f-${id} }
devices:
  - { id: ${devices[0]}, wellId: w-${id}-1 }
  - { id: ${devices[1]}, wellId: w-${id}-2 }
`,
  );
  writeFileSync(
    join(configDir, 'alarm-rules.yaml'),
    `rules:
  - tagId: tubing_pressure
    unit: psi
    limits: { HH: 1450, H: 1200 }
    deadband: 25
`,
  );
  return { id, tenant, devices, configDir, databaseUrl: url.toString() };
}
