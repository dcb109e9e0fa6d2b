import type { Redis } from 'ioredis';

/**
 * `redis://…` / `rediss://…` → ioredis; `memory://` → an in-process Redis
 * (ioredis-mock: same API, data shared by every client of the process) for the
 * embedded default. Connects lazily; `ping` proves it.
 */
export async function openRedis(url: string, options: { name?: string; commandTimeoutMs?: number } = {}): Promise<Redis> {
  if (url === 'memory://') {
    const { openStandInRedis } = await import('./stand-ins.ts');
    return openStandInRedis();
  }
  const { Redis: IORedis } = await import('ioredis');
  const client = new IORedis(url, {
    connectionName: options.name ?? 'flowline',
    lazyConnect: true,
    // Commands wait while reconnecting; a handler that waits too long is retried by the host.
    maxRetriesPerRequest: 3,
    // A Redis that accepts but never answers (hung, or a half-open connection) fails the attempt instead of holding it.
    commandTimeout: options.commandTimeoutMs ?? 10_000,
    // Half-open connections (a NAT or a node that vanished) are noticed by the kernel, not after hours.
    keepAlive: 10_000,
    enableAutoPipelining: true,
  });
  // ioredis reports every failed reconnect as an 'error' event; without a listener Node would crash.
  client.on('error', () => {});
  await client.connect().catch(() => {});
  return client;
}
