import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '#runtime';

/** Which storage the migrations built: TimescaleDB hypertables or native range partitions. */
export type StorageFlavor = 'timescale' | 'native';

export const migrationsDir = join(import.meta.dirname, 'migrations');

interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/**
 * Applies the versioned SQL files of `migrations/` that are not applied yet, in order,
 * each in its own transaction under an advisory lock (replicas starting together apply
 * each once). `NNN_name.sql` applies everywhere; `NNN_name.timescale.sql` and
 * `NNN_name.native.sql` are the two variants of one version, chosen once, when the
 * first migration runs, by whether the server offers the timescaledb extension
 * (FLOWLINE_TIMESCALE=off forces native). An applied file that has since changed is an
 * error: migrations are history, a change is a new file.
 */
export async function migrate(
  db: Db,
  env: Record<string, string | undefined> = process.env,
): Promise<{ flavor: StorageFlavor; applied: string[] }> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, flavor text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const flavor = await flavorOf(db, env);
  const applied: string[] = [];
  for (const migration of await migrationsFor(flavor)) {
    if (migration.sql.startsWith('-- flowline:no-transaction')) {
      // TimescaleDB refuses continuous aggregates inside a transaction block.
      const { rowCount } = await db.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (rowCount > 0) continue;
      await db.exec(migration.sql);
      await db.query('INSERT INTO schema_migrations (version, name, flavor, checksum) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        migration.version,
        migration.name,
        flavor,
        migration.checksum,
      ]);
      applied.push(migration.file);
      continue;
    }
    const done = await db.transaction(async (tx) => {
      // A migration may rightly run longer than a handler's statement bound.
      await tx.query('SET LOCAL statement_timeout = 0');
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['flowline:migrations']);
      const { rows } = await tx.query<{ checksum: string; name: string }>(
        'SELECT checksum, name FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      const existing = rows[0];
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.file} changed after it was applied (as ${existing.name}); add a new migration instead of editing an applied one`,
          );
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, flavor, checksum) VALUES ($1, $2, $3, $4)', [
        migration.version,
        migration.name,
        flavor,
        migration.checksum,
      ]);
      return true;
    });
    if (done) applied.push(migration.file);
  }
  return { flavor, applied };
}

async function flavorOf(db: Db, env: Record<string, string | undefined>): Promise<StorageFlavor> {
  const { rows } = await db.query<{ flavor: string }>('SELECT flavor FROM schema_migrations ORDER BY version LIMIT 1');
  if (rows[0]) return rows[0].flavor as StorageFlavor;
  if (env.FLOWLINE_TIMESCALE === 'off') return 'native';
  const available = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  return available.rowCount > 0 ? 'timescale' : 'native';
}

async function migrationsFor(flavor: StorageFlavor): Promise<Migration[]> {
  const byVersion = new Map<number, Migration>();
  for (const file of (await readdir(migrationsDir)).sort()) {
    const match = /^(\d{3})_([a-z0-9_]+?)(?:\.(timescale|native))?\.sql$/.exec(file);
    if (!match) continue;
    const [, version, name, variant] = match;
    if (variant && variant !== flavor) continue;
    const sql = await readFile(join(migrationsDir, file), 'utf8');
    byVersion.set(Number(version), {
      version: Number(version),
      name: name as string,
      file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}
