/** Why the broker will not have us; each has one thing to fix. */
export type KafkaAccessReason =
  | 'broker-certificate-untrusted'
  | 'broker-certificate-expired'
  | 'broker-certificate-not-yet-valid'
  | 'broker-hostname-mismatch'
  | 'client-certificate-required'
  | 'client-certificate-refused'
  | 'client-certificate-expired'
  | 'client-certificate-not-yet-valid'
  | 'client-key-mismatch'
  | 'sasl-credentials-refused'
  | 'sasl-mechanism-refused'
  | 'sasl-not-on-this-listener'
  | 'listener-is-not-tls'
  | 'listener-closes-at-once';

/**
 * The broker refused us for a reason that retrying cannot fix (trust, a client certificate,
 * SASL credentials): the process stops at start with this message (which setting, what to
 * do) instead of retrying in a loop that looks like a slow broker.
 */
export class KafkaAccessError extends Error {
  readonly reason: KafkaAccessReason;

  constructor(reason: KafkaAccessReason, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaAccessError';
    this.reason = reason;
  }
}

/** By name as well: `instanceof` fails across two copies of this module. */
export function isKafkaAccessError(error: unknown): error is KafkaAccessError {
  return error instanceof KafkaAccessError || (error instanceof Error && error.name === 'KafkaAccessError');
}
