import type { Redis } from 'ioredis';

/**
 * `redis://…` / `rediss://…` → ioredis; `memory://` → an in-process Redis
 * (ioredis-mock: same API, data shared by every client of the process) for the
 * embedded default. Connects lazily; `ping` proves it.
 */
export async function openRedis(url: string, options: { name?: string } = {}): Promise<Redis> {
  if (url === 'memory://') {
    const { default: RedisMock } = await import('ioredis-mock');
    return new RedisMock() as unknown as Redis;
  }
  const { Redis: IORedis } = await import('ioredis');
  const client = new IORedis(url, {
    connectionName: options.name ?? 'flowline',
    lazyConnect: true,
    // Commands wait while reconnecting; a handler that waits too long is retried by the host.
    maxRetriesPerRequest: 3,
    enableAutoPipelining: true,
  });
  // ioredis reports every failed reconnect as an 'error' event; without a listener Node would crash.
  client.on('error', () => {});
  await client.connect().catch(() => {});
  return client;
}
