import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keys } from './keys.ts';

/** Outcomes are kept this long: longer than any redelivery (Kafka retention of scada.alarms is days). */
const keepOutcomeSeconds = 14 * 24 * 3600;

/** Identifies this process's leases, so its own retry of an event may carry on where it stopped. */
const processToken = randomUUID();
const leasePrefix = 'sending:';

export type Claim = { kind: 'go' } | { kind: 'done'; outcome: string } | { kind: 'busy'; retryAfterMs: number };

/**
 * Takes the right to deliver one notification to one channel. The first claim wins a
 * lease (as long as the channel's whole retry budget); a finished delivery says how it
 * ended, so a redelivered event never notifies a channel twice. A lease held by
 * another process means it is sending right now, or died doing so: the caller waits
 * for the lease to end rather than risk sending twice.
 */
export async function claimDelivery(redis: Redis, notificationId: string, channelId: string, leaseMs: number): Promise<Claim> {
  const key = keys.delivery(notificationId, channelId);
  const mine = leasePrefix + processToken;
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await redis.set(key, mine, 'PX', leaseMs, 'NX')) === 'OK') return { kind: 'go' };
    const [value, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
    if (value === null) continue; // expired between the two calls
    if (value === mine) {
      await redis.pexpire(key, leaseMs);
      return { kind: 'go' };
    }
    if (value.startsWith(leasePrefix)) return { kind: 'busy', retryAfterMs: Math.max(ttl, 100) };
    return { kind: 'done', outcome: value };
  }
  return { kind: 'busy', retryAfterMs: 100 };
}

/** Records how the delivery ended; from now on the notification is done for this channel. */
export async function finishDelivery(
  redis: Redis,
  notificationId: string,
  channelId: string,
  outcome: string,
  keepSeconds = keepOutcomeSeconds,
): Promise<void> {
  await redis.set(keys.delivery(notificationId, channelId), outcome, 'EX', keepSeconds);
}

/** Gives a lease back (shutdown mid-delivery), so the redelivery elsewhere need not wait for it to expire. */
export async function releaseDelivery(redis: Redis, notificationId: string, channelId: string): Promise<void> {
  const key = keys.delivery(notificationId, channelId);
  if ((await redis.get(key)) === leasePrefix + processToken) await redis.del(key);
}
