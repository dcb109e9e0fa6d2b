import { RetryableError } from '#runtime';
import { backoffDelay, sleep } from '#runtime/retry-policy.ts';
import { isPermanentDeliveryError } from './delivery-error.ts';

export interface DeliveryRetry {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export type SendResult = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

/**
 * Tries a delivery up to `attempts` times with exponential backoff (the runtime's own
 * jittered policy), inside the handler: a dead receiver must cost one bounded wait and
 * a recorded failure, never an event retried forever. Shutdown interrupts the wait
 * with a RetryableError, so the event is redelivered rather than reported as failed.
 */
export async function sendWithRetry(send: () => Promise<void>, retry: DeliveryRetry, signal: AbortSignal): Promise<SendResult> {
  const policy = { maxAttempts: retry.attempts, initialDelayMs: retry.initialDelayMs, maxDelayMs: retry.maxDelayMs, multiplier: 2 };
  let last = '';
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      await send();
      return { ok: true, attempts: attempt };
    } catch (error) {
      last = (error as Error).message;
      if (isPermanentDeliveryError(error)) return { ok: false, attempts: attempt, error: last };
      if (attempt === retry.attempts) break;
      await sleep(backoffDelay(policy, attempt), signal);
      if (signal.aborted) throw new RetryableError(`delivery interrupted by shutdown after ${attempt} attempt(s): ${last}`);
    }
  }
  return { ok: false, attempts: retry.attempts, error: last };
}

/** The longest a delivery can take: every attempt timing out plus every backoff at its cap. */
export function deliveryBudgetMs(retry: DeliveryRetry, timeoutMs: number): number {
  let total = retry.attempts * timeoutMs;
  for (let attempt = 1; attempt < retry.attempts; attempt++) total += Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  return total;
}
