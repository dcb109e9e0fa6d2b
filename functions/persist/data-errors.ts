import { PermanentError } from '#runtime';

/**
 * PostgreSQL's data exceptions (class 22) and constraint violations (class 23) mean
 * the batch holds data that can never be stored: permanent, so the runtime retries
 * each event alone and dead-letters the culprit. Anything else (the server away,
 * a timeout) is retried until it succeeds.
 */
export async function withDataErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))) {
      throw new PermanentError(`PostgreSQL rejected the data (SQLSTATE ${code}): ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
}
