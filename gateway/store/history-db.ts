import type { Logger } from 'pino';
import { problem } from '../http/problem.ts';

/**
 * Runs a history query; PostgreSQL trouble becomes a 503 that says what is going on
 * (tables not created yet, database away) instead of a bare 500.
 */
export async function fromHistory<T>(work: () => Promise<T>, log: Logger): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const message = (error as Error).message ?? '';
    log.warn({ err: error }, 'history query failed');
    if (/does not exist/i.test(message))
      throw problem(503, 'history is not stored yet: the persist function creates its tables when it starts; try again shortly');
    throw problem(503, 'the history database did not answer; try again shortly');
  }
}
