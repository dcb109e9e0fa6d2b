import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, hasAttemptsLeft, sleep } from './retry-policy.ts';

describe('retry policy', () => {
  const policy = { ...defaultRetryPolicy, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2 };

  it('grows exponentially with jitter between half and all of the step, capped', () => {
    expect(backoffDelay(policy, 1, undefined, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, undefined, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, undefined, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, undefined, () => 1)).toBe(1_000);
  });

  it('waits at least as long as an error asks', () => {
    expect(backoffDelay(policy, 1, 5_000, () => 0)).toBe(5_000);
  });

  it('counts attempts, or never stops for "forever"', () => {
    expect(hasAttemptsLeft({ ...policy, maxAttempts: 3 }, 2)).toBe(true);
    expect(hasAttemptsLeft({ ...policy, maxAttempts: 3 }, 3)).toBe(false);
    expect(hasAttemptsLeft({ ...policy, maxAttempts: 'forever' }, 1_000_000)).toBe(true);
  });

  it('sleep ends early, without throwing, when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const done = sleep(60_000, controller.signal);
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
