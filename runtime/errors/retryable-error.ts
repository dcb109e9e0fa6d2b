const marker = Symbol.for('flowline.error.retryable');

/**
 * "Try me again": a transient failure (a dependency is down, a lock is held).
 * Any unknown error means the same; throw this one to suggest when to retry.
 */
export class RetryableError extends Error {
  readonly [marker] = true;
  /** Wait at least this long before the next attempt (overrides the backoff when longer). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { retryAfterMs?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** By marker, not `instanceof`: two copies of this module must still agree. */
export function isRetryableError(error: unknown): error is RetryableError {
  return typeof error === 'object' && error !== null && (marker in error || (error as Error).name === 'RetryableError');
}
