import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.ts';

/** PostgreSQL in-process, for the embedded default. `dataDir` keeps data across restarts. */
export async function openEmbeddedDb(dataDir?: string): Promise<Db> {
  if (dataDir !== undefined) mkdirSync(dirname(dataDir), { recursive: true });
  const pglite = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await pglite.waitReady;

  const wrap = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await target.query<R>(text, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });

  return {
    kind: 'embedded',
    ...wrap(pglite),
    transaction: (work) => pglite.transaction((tx) => work(wrap(tx))),
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      await pglite.close();
    },
  };
}
