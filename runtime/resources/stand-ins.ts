import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Redis } from 'ioredis';
import type { Db, Queryable, QueryResult } from './db.ts';

/**
 * The memory host's in-process stand-ins (`memory://`): ioredis-mock for Redis and
 * PGlite (PostgreSQL compiled to WebAssembly) for the database. Both are development
 * dependencies, left out of the production images, so a production process can never
 * fall back to them; this module is the only one that loads them.
 */
async function devDependency<M>(name: string, variable: string, load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `${variable}=memory:// needs ${name}, a development dependency that production images leave out: set ${variable} to a real server`,
      { cause: error },
    );
  }
}

/** Redis in-process (ioredis-mock: same API, data shared by every client of the process). */
export async function openStandInRedis(): Promise<Redis> {
  const { default: RedisMock } = await devDependency('ioredis-mock', 'REDIS_URL', () => import('ioredis-mock'));
  return new RedisMock() as unknown as Redis;
}

/** PostgreSQL in-process, for the embedded default. `dataDir` keeps data across restarts. */
export async function openEmbeddedDb(dataDir?: string): Promise<Db> {
  const { PGlite } = await devDependency('@electric-sql/pglite', 'DATABASE_URL', () => import('@electric-sql/pglite'));
  if (dataDir !== undefined) mkdirSync(dirname(dataDir), { recursive: true });
  const pglite: PGlite = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
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
