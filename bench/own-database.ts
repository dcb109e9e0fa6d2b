import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startPostgres, stopPostgres } from '../local-dev/services/postgres.ts';

/**
 * A database of a bench's own on the local PostgreSQL (started if absent): `url` reaches it,
 * `drop` removes it and stops the server if this started it.
 */
export async function ownDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const service = await startPostgres();
  const database = `${prefix}_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: service.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(service.url);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${database}`);
      await admin.end();
      if (service.started) await stopPostgres();
    },
  };
}
