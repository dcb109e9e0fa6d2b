import type { Redis } from 'ioredis';
import { PermanentError } from '../errors/permanent-error.ts';
import type { FunctionManifest } from '../manifest.ts';
import { type Db, openDb } from './db.ts';
import { openRedis } from './redis.ts';
import type { StateStore } from './state-store.ts';

export interface Resources {
  redis: Redis | undefined;
  db: Db | undefined;
  /** Readiness checks of what was opened. */
  checks: Record<string, () => Promise<unknown>>;
  close(): Promise<void>;
}

/** Opens, once per process, what the given functions' manifests declare they need. */
export async function openResources(
  manifests: readonly FunctionManifest[],
  urls: { redis: string; database: string },
  name = 'flowline',
  bounds: { redisCommandTimeoutMs?: number; statementTimeoutMs?: number } = {},
): Promise<Resources> {
  const needs = new Set(manifests.flatMap((m) => m.needs));
  const redis = needs.has('redis') ? await openRedis(urls.redis, { name, commandTimeoutMs: bounds.redisCommandTimeoutMs }) : undefined;
  const db = needs.has('postgres')
    ? await openDb(urls.database, { applicationName: name, statementTimeoutMs: bounds.statementTimeoutMs })
    : undefined;
  const checks: Record<string, () => Promise<unknown>> = {};
  if (redis) checks.redis = () => redis.ping();
  if (db) checks.postgres = () => db.ping();
  return {
    redis,
    db,
    checks,
    async close() {
      await Promise.allSettled([redis?.quit(), db?.close()]);
    },
  };
}

/** The state store of a function that did not declare a dependency to keep state in. */
export function missingStateStore(functionName: string): StateStore {
  const fail = (): never => {
    throw new PermanentError(`function "${functionName}" uses ctx.state: add "redis" to needs in its function.yaml`);
  };
  return { get: fail, set: fail, delete: fail };
}
