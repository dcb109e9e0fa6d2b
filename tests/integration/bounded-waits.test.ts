import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDb } from '../../runtime/resources/db.ts';
import { openRedis } from '../../runtime/resources/redis.ts';

/**
 * A dependency that hangs costs a handler a bounded wait, never the partition: the
 * attempt fails, and the host retries it (or pauses) like any other dependency error.
 */
const { databaseUrl } = inject('services');
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

/** Accepts connections and never answers: a hung server, or a half-open link. */
async function silentServer(): Promise<{ port: number; server: Server }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as { port: number }).port, server };
}

describe('bounded waits', () => {
  it('PostgreSQL cancels a statement that outlives DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const db = await openDb(databaseUrl, { statementTimeoutMs: 500, poolSize: 1 });
    closers.push(() => db.close());
    const started = Date.now();
    await expect(db.query('SELECT pg_sleep(20)')).rejects.toMatchObject({ code: '57014' }); // query_canceled
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect(db.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] }); // the pool is fine after
  });

  it('a transaction whose server goes away fails its attempt, never the process', async () => {
    // Found by the fault suite: PostgreSQL stopped while persist was inside a batch's
    // transaction, and the checked-out client's 'error' event, unheard, killed the process.
    const db = await openDb(databaseUrl, { poolSize: 2 });
    closers.push(() => db.close());
    const killer = await openDb(databaseUrl, { poolSize: 1 });
    closers.push(() => killer.close());
    const unheard: unknown[] = [];
    const onUncaught = (error: unknown) => unheard.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const work = db.transaction(async (tx) => {
        const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        await tx.query('SELECT pg_sleep(5)');
      });
      // Which error depends on timing: the server's "terminating connection" if the next query
      // is sent first, node-postgres' "connection error … not queryable" if the client heard
      // the socket close first (seen on a busy machine). Either way the attempt fails.
      await expect(work).rejects.toThrow(/terminat|connection error/i);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unheard).toEqual([]);
      await expect(db.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('a Redis command fails after REDIS_COMMAND_TIMEOUT_MS when the server never answers', async () => {
    const { port } = await silentServer();
    const redis = await openRedis(`redis://127.0.0.1:${port}`, { commandTimeoutMs: 300 });
    closers.push(async () => redis.disconnect());
    const started = Date.now();
    await expect(redis.get('anything')).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
