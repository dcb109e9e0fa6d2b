const marker = Symbol.for('flowline.error.permanent');

/**
 * "This event can never succeed": retrying is pointless, so it goes to the dead-letter
 * topic with this message as the reason. Events whose data fails the schema get it
 * automatically.
 */
export class PermanentError extends Error {
  readonly [marker] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
  }
}

/** By marker, not `instanceof`: two copies of this module must still agree. */
export function isPermanentError(error: unknown): error is PermanentError {
  return typeof error === 'object' && error !== null && (marker in error || (error as Error).name === 'PermanentError');
}
