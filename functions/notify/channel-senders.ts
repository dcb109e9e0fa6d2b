import type { Channel, Channels } from '../../config/channels.ts';
import { emailSender } from './email-channel.ts';
import type { Notification } from './notification.ts';
import type { RateLimit } from './rate-limit.ts';
import { type DeliveryRetry, deliveryBudgetMs } from './send-with-retry.ts';
import { webhookSender } from './webhook-channel.ts';

/** A configured channel, ready to send: its secrets resolved, its limits at hand. */
export interface ChannelSender {
  readonly id: string;
  readonly tenant: string;
  readonly kind: Channel['kind'];
  readonly rateLimit: RateLimit;
  readonly retry: DeliveryRetry;
  /** How long a delivery may hold its lease: the whole retry budget, plus a margin. */
  readonly leaseMs: number;
  /** Why this channel cannot send (its secret is not set); every notification for it is then a recorded failure. */
  readonly unusable: string | undefined;
  send(n: Notification, signal: AbortSignal): Promise<void>;
  close(): void;
}

/**
 * Builds one sender per channel. A secret named in the configuration but absent from
 * the environment does not stop the function (live fan-out and the other channels
 * still matter to the control room): that channel is marked unusable and each
 * notification for it is recorded as a failure naming the variable to set.
 */
export function buildSenders(config: Channels, env: Record<string, string | undefined>, now: () => number): Map<string, ChannelSender> {
  const senders = new Map<string, ChannelSender>();
  for (const channel of config.channels) {
    const named: [string | undefined, string][] =
      channel.kind === 'webhook'
        ? [
            [channel.signingSecretEnv, 'signing secret'],
            [channel.authorizationEnv, 'authorization header'],
          ]
        : [[channel.smtp.passwordEnv, 'SMTP password']];
    const secret = (name: string | undefined) => (name === undefined ? undefined : env[name] || undefined);
    const missing = named.filter(([name]) => name !== undefined && secret(name) === undefined);
    const unusable =
      missing.length > 0
        ? `channel "${channel.id}" is not usable: ${missing.map(([name, what]) => `environment variable ${name} is not set (it holds the channel's ${what})`).join('; ')}`
        : undefined;
    const timeoutMs = channel.kind === 'webhook' ? channel.timeoutMs : channel.smtp.timeoutMs * 3;
    const common = {
      id: channel.id,
      tenant: channel.tenant,
      kind: channel.kind,
      rateLimit: channel.rateLimit,
      retry: channel.retry,
      leaseMs: deliveryBudgetMs(channel.retry, timeoutMs) + 10_000,
      unusable,
    };
    if (channel.kind === 'webhook') {
      const secrets = { signing: secret(channel.signingSecretEnv), authorization: secret(channel.authorizationEnv) };
      senders.set(channel.id, { ...common, send: webhookSender(channel, secrets, now), close: () => {} });
    } else {
      const email = emailSender(channel, secret(channel.smtp.passwordEnv));
      senders.set(channel.id, { ...common, send: email.send, close: email.close });
    }
  }
  return senders;
}
