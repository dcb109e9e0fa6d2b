import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.ts';

export function openPostgresPool(
  connectionString: string,
  options: { poolSize?: number; applicationName?: string; statementTimeoutMs?: number },
): Db {
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  // pg reads a per-query query_timeout that its types do not declare.
  const script = (text: string) => ({ text, query_timeout: 24 * 3_600_000 }) as pg.QueryConfig;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'flowline',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Bounded waits: the server cancels a statement that runs too long; the client gives up
    // on a server that stopped answering (a little later, so the server's reason wins).
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 5_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const query = async <R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> => {
    const result = await pool.query(text, params as unknown[] | undefined);
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  };

  return {
    kind: 'postgres',
    query,
    async exec(sql: string) {
      // No parameters: the simple protocol, which runs several statements. Scripts are
      // migrations, which may rightly take long: only the server's statement_timeout bounds them.
      await pool.query(script(sql));
    },
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The pool hears errors of idle clients only; a checked-out client losing its server
      // emits 'error' too, and unheard that kills the process. The query in flight fails
      // on its own; the broken client is thrown away on release.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(text: string, params?: readonly unknown[]) {
            const result = await client.query(text, params as unknown[] | undefined);
            return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
          },
          async exec(sql: string) {
            await client.query(script(sql));
          },
        };
        const value = await work(tx);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    async ping() {
      await query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
