import { createHmac } from 'node:crypto';
import type { WebhookChannel } from '../../config/channels.ts';
import { DeliveryError } from './delivery-error.ts';
import { webhookPayload } from './message.ts';
import type { Notification } from './notification.ts';

export const signatureHeader = 'x-flowline-signature';
export const timestampHeader = 'x-flowline-timestamp';
export const notificationIdHeader = 'x-flowline-notification-id';

/** `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>`: a receiver recomputes it and rejects old timestamps (replay). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** 408 and 429 say "later"; any other 4xx says the request itself is wrong and will stay wrong. */
const permanentStatus = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** POSTs a notification as JSON, signed when the channel has a secret, within the channel's timeout. */
export function webhookSender(
  channel: WebhookChannel,
  secrets: { signing?: string | undefined; authorization?: string | undefined },
  now: () => number,
) {
  return async (n: Notification, signal: AbortSignal): Promise<void> => {
    const body = JSON.stringify(webhookPayload(n, channel.id));
    const timestamp = String(Math.floor(now() / 1000));
    const headers: Record<string, string> = {
      ...channel.headers,
      'content-type': 'application/json',
      'user-agent': 'flowline-notify',
      [notificationIdHeader]: n.id,
      [timestampHeader]: timestamp,
      ...(secrets.authorization === undefined ? {} : { authorization: secrets.authorization }),
      ...(secrets.signing === undefined ? {} : { [signatureHeader]: webhookSignature(secrets.signing, timestamp, body) }),
    };
    let response: Response;
    try {
      response = await fetch(channel.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(channel.timeoutMs), signal]),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${channel.timeoutMs} ms` : describe(error);
      throw new DeliveryError(`POST ${channel.url}: ${reason}`, { permanent: false, cause: error });
    }
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const snippet = (await response.text().catch(() => '')).slice(0, 200);
    throw new DeliveryError(`POST ${channel.url} answered ${response.status}${snippet ? `: ${snippet}` : ''}`, {
      permanent: permanentStatus(response.status),
    });
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${cause.code} ${cause.message ?? ''}`.trim() : (error as Error).message;
}
