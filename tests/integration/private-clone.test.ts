import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresDir, startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';
import { isRoot } from '../../local-dev/services/process.ts';
import { freePort } from '../support/function-process.ts';

/**
 * A clone inside a directory only its owner may enter (root's home is one). As root,
 * PostgreSQL runs as the postgres user, who cannot enter it: the test ground must still start.
 */
const home = mkdtempSync(join(tmpdir(), 'flowline-private-'));
const stateDir = join(home, 'clone', '.flowline');
afterAll(async () => {
  await stopPostgres({ stateDir });
  rmSync(home, { recursive: true, force: true });
  rmSync(postgresDir(stateDir), { recursive: true, force: true });
});

describe.skipIf(!isRoot())('the test ground in a private folder (mode 0700)', () => {
  it('starts PostgreSQL, whose data lives where the postgres user can reach it', async () => {
    mkdirSync(stateDir, { recursive: true });
    chmodSync(home, 0o700);
    const port = await freePort();
    const service = await startPostgres({ port, stateDir });
    expect(service.started).toBe(true);
    expect(postgresDir(stateDir).startsWith(home)).toBe(false);
    const client = new pg.Client({ connectionString: service.url });
    await client.connect();
    const { rows } = await client.query('SELECT current_database() AS db');
    await client.end();
    expect(rows[0].db).toBe('flowline');
  });
});
