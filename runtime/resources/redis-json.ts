import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { execOrThrow } from './redis-exec.ts';

/** A stored JSON value: absent, read through its schema, or unreadable (with why). */
export type StoredJson<T> = { found: false } | { found: true; value: T } | { found: true; issues: z.core.$ZodIssue[] };

/**
 * Reads some keys' JSON values in one round trip, each through `schema`. A value that does not
 * parse, or does not read as the schema (written by hand, or by a version that kept another
 * shape), comes back as its issues: the caller decides (a function's tracking starts afresh,
 * rather than its events failing until dead-lettered).
 */
export async function readStoredJson<S extends z.ZodType>(
  redis: Redis,
  keys: readonly string[],
  schema: S,
  what: string,
): Promise<StoredJson<z.infer<S>>[]> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.get(key);
  const replies = (await execOrThrow(pipeline, what)) as (string | null)[];
  return replies.map((raw) => {
    if (raw === null) return { found: false };
    const parsed = schema.safeParse(safeJson(raw));
    return parsed.success ? { found: true, value: parsed.data } : { found: true, issues: parsed.error.issues };
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
