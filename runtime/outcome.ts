import { isPermanentError } from './errors/permanent-error.ts';
import { isRetryableError } from './errors/retryable-error.ts';

/** Why an event went to the dead-letter topic. */
export type DeadLetterKind = 'undecodable' | 'invalid' | 'permanent' | 'exhausted';

/** What the runtime decided about one delivered event. */
export type Outcome =
  | { kind: 'success' }
  | { kind: 'dead-letter'; reason: string; cause: DeadLetterKind; attempts: number }
  /** Give the event back to the transport for redelivery (Dapr RETRY, Kafka: do not commit). */
  | { kind: 'redeliver'; reason: string; attempts: number };

/** What a thrown error asks for. An unknown error is transient: never acknowledge it silently. */
export type FailureIntent = { retry: true; reason: string; delayHintMs?: number } | { retry: false; reason: string };

export function classifyError(error: unknown): FailureIntent {
  const reason = describeError(error);
  if (isPermanentError(error)) return { retry: false, reason };
  if (isRetryableError(error) && error.retryAfterMs !== undefined) {
    return { retry: true, reason, delayHintMs: error.retryAfterMs };
  }
  return { retry: true, reason };
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
