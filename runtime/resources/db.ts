export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The PostgreSQL a handler sees: a pooled server (pg) in production, an embedded one
 * (PGlite, real PostgreSQL compiled to WebAssembly) for `npm start`. Same SQL on both.
 */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `postgres://…` → a pool; `memory://` or `embedded://<dir>` → PGlite. */
export async function openDb(
  url: string,
  options: { poolSize?: number; applicationName?: string; statementTimeoutMs?: number } = {},
): Promise<Db> {
  if (url === 'memory://' || url.startsWith('embedded://')) {
    const { openEmbeddedDb } = await import('./stand-ins.ts');
    return openEmbeddedDb(url === 'memory://' ? undefined : url.slice('embedded://'.length));
  }
  const { openPostgresPool } = await import('./db-postgres.ts');
  return openPostgresPool(url, options);
}
