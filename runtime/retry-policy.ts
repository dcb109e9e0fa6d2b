/**
 * How often and how patiently a failing event is retried before it is given up on.
 * `maxAttempts: 'forever'` blocks the partition until the event succeeds: right for a
 * sink whose only failure mode is its database being away (persist), wrong for
 * anything that could meet a poison message it cannot recognise.
 */
export interface RetryPolicy {
  maxAttempts: number | 'forever';
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 30_000,
  multiplier: 2,
};

export function hasAttemptsLeft(policy: RetryPolicy, attemptsMade: number): boolean {
  return policy.maxAttempts === 'forever' || attemptsMade < policy.maxAttempts;
}

/**
 * Delay before attempt `attemptsMade + 1`: exponential, capped, with "equal jitter"
 * (half fixed, half random) so a fleet of replicas does not retry in lock-step.
 */
export function backoffDelay(policy: RetryPolicy, attemptsMade: number, hintMs?: number, random = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attemptsMade - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(jittered, hintMs ?? 0);
}

/** Resolves after `ms`, or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
