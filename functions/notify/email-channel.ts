import { createTransport } from 'nodemailer';
import type { EmailChannel } from '../../config/channels.ts';
import { DeliveryError } from './delivery-error.ts';
import { renderMessage } from './message.ts';
import type { Notification } from './notification.ts';

/**
 * Sends a notification as a plain-text e-mail through the channel's SMTP relay.
 * `starttls` refuses a relay that does not upgrade (requireTLS); `tls` is implicit TLS.
 * The transport connects per message: alarms are rare enough, and a dead relay then
 * fails one send instead of a pooled connection.
 */
export function emailSender(channel: EmailChannel, password: string | undefined) {
  const { smtp } = channel;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    ...(smtp.user !== undefined && password !== undefined ? { auth: { user: smtp.user, pass: password } } : {}),
    tls: { rejectUnauthorized: smtp.rejectUnauthorized },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });
  const send = async (n: Notification, signal: AbortSignal): Promise<void> => {
    const { subject, text } = renderMessage(n);
    try {
      await transport.sendMail({
        from: channel.from,
        to: channel.to,
        subject: `${channel.subjectPrefix} ${subject}`.trim(),
        text,
        headers: { 'X-Flowline-Notification-Id': n.id },
        signal,
      });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx: the relay refused for good (unknown recipient, auth failed); 4xx and network errors may pass later.
      const permanent = code !== undefined && code >= 500 && code < 600;
      throw new DeliveryError(`SMTP ${smtp.host}:${smtp.port}: ${(error as Error).message}`, { permanent, cause: error });
    }
  };
  return { send, close: () => transport.close() };
}
