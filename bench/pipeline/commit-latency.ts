import pg from 'pg';
import { type PostgresService, startPostgres, stopPostgres } from '../../local-dev/services/postgres.ts';

/**
 * Latency read from the rows themselves. The telemetry table has no column written at
 * commit (received_at is validate's arrival time), so the commit time is PostgreSQL's own:
 * with track_commit_timestamp on, pg_xact_commit_timestamp(xmin) is when the transaction
 * that inserted the row committed, on the same clock as the sample's timestamp (one machine).
 */
export type CommitClock = 'commit-timestamp' | 'none';

/**
 * Turns track_commit_timestamp on (a restart) when this run started the server; a server
 * someone else runs is never restarted: then only the validate stage is measured, and the
 * report says so.
 */
export async function ensureCommitClock(service: PostgresService): Promise<{ service: PostgresService; clock: CommitClock }> {
  const setting = async (sql: string) => {
    const client = new pg.Client({ connectionString: service.url });
    await client.connect();
    try {
      return (await client.query<{ track_commit_timestamp?: string }>(sql)).rows[0]?.track_commit_timestamp;
    } finally {
      await client.end();
    }
  };
  if ((await setting('SHOW track_commit_timestamp')) === 'on') return { service, clock: 'commit-timestamp' };
  if (!service.started) {
    console.warn(
      'PostgreSQL runs without track_commit_timestamp and this run did not start it, so it will not restart it: ' +
        'sample → row committed is not measured (only sample → validate). Stop that server, or run ALTER SYSTEM SET ' +
        'track_commit_timestamp = on and restart it, then run the bench again.',
    );
    return { service, clock: 'none' };
  }
  await setting('ALTER SYSTEM SET track_commit_timestamp = on');
  await stopPostgres();
  const again = await startPostgres({ port: service.port });
  return { service: { ...again, started: true }, clock: 'commit-timestamp' };
}

/** Leaves the server's configuration as it was found (the setting is written to postgresql.auto.conf). */
export async function resetCommitClock(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ALTER SYSTEM RESET track_commit_timestamp');
  } finally {
    await client.end();
  }
}

export interface RoundLatency {
  rows: number;
  /** Sample timestamp → row committed, ms (undefined without the commit clock). */
  commit?: { p50: number; p99: number; max: number };
  /** Sample timestamp → validate received it (received_at), ms. */
  validate: { p50: number; p99: number };
  /** Rows ÷ (last commit − first sample): samples/s from raw to committed. */
  throughput?: number;
}

/** The rows of one tenant whose sample timestamps fall in [from, to] (ms). */
export async function countRows(db: pg.Client, tenant: string, from: number, to: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM telemetry WHERE tenant_id = $1 AND ts BETWEEN to_timestamp($2 / 1000.0) AND to_timestamp($3 / 1000.0)',
    [tenant, from, to],
  );
  return rows[0]?.n ?? 0;
}

export async function roundLatency(db: pg.Client, tenant: string, from: number, to: number, clock: CommitClock): Promise<RoundLatency> {
  const committed = clock === 'commit-timestamp' ? 'pg_xact_commit_timestamp(xmin)' : 'NULL::timestamptz';
  const { rows } = await db.query<{
    n: number;
    c50: number | null;
    c99: number | null;
    cmax: number | null;
    v50: number;
    v99: number;
    span: number | null;
  }>(
    `WITH r AS (
       SELECT ts, received_at, ${committed} AS committed_at FROM telemetry
       WHERE tenant_id = $1 AND ts BETWEEN to_timestamp($2 / 1000.0) AND to_timestamp($3 / 1000.0))
     SELECT count(*)::int AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM committed_at - ts) * 1000) AS c50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM committed_at - ts) * 1000) AS c99,
       max(extract(epoch FROM committed_at - ts) * 1000) AS cmax,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts) * 1000) AS v50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts) * 1000) AS v99,
       extract(epoch FROM max(committed_at) - to_timestamp($2 / 1000.0)) AS span
     FROM r`,
    [tenant, from, to],
  );
  const r = rows[0];
  if (!r || r.n === 0) return { rows: 0, validate: { p50: Number.NaN, p99: Number.NaN } };
  return {
    rows: r.n,
    ...(r.c50 !== null && r.c99 !== null && r.cmax !== null ? { commit: { p50: r.c50, p99: r.c99, max: Number(r.cmax) } } : {}),
    validate: { p50: r.v50, p99: r.v99 },
    ...(r.span ? { throughput: r.n / Number(r.span) } : {}),
  };
}
