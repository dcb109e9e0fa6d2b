import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redisServerBin } from '../../local-dev/services/redis.ts';

export interface ScratchRedis {
  redis: Redis;
  stop(): Promise<void>;
}

/**
 * A real, throw-away redis-server on a Unix socket of its own (no TCP port, so it never
 * meets the services other tests start), for what ioredis-mock does not model: a command
 * of a MULTI failing on its own (WRONGTYPE) while Redis applies the rest. ioredis-mock
 * rejects the whole exec instead, which would hide exactly the bug under test.
 */
export async function startScratchRedis(): Promise<ScratchRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'flowline-redis-'));
  const socket = join(dir, 'redis.sock');
  const server: ChildProcess = spawn(
    redisServerBin(),
    ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  for (let i = 0; !existsSync(socket); i++) {
    if (i > 100 || server.exitCode !== null)
      throw new Error(`redis-server did not open ${socket} within 5 s (exit code ${server.exitCode})`);
    await sleep(50);
  }
  const redis = new Redis({ path: socket, maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  return {
    redis,
    async stop() {
      redis.disconnect();
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
