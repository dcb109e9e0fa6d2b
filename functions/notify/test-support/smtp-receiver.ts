import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  /** Header values, unfolded, by lower-case name. */
  headers: Record<string, string>;
  raw: string;
  secure: boolean;
}

/**
 * A real SMTP server on loopback (STARTTLS offered with smtp-server's built-in
 * self-signed certificate). `refuseWith(451)` makes it refuse every recipient with
 * that code: 4xx is "try later", 5xx "never".
 */
export async function startSmtpReceiver(options: { user?: string; password?: string } = {}) {
  const messages: ReceivedMail[] = [];
  let refusal: number | undefined;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: options.user === undefined,
    ...(options.user === undefined ? {} : { authMethods: ['PLAIN', 'LOGIN'] }),
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('authentication failed'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      attempts += 1;
      if (refusal === undefined) return callback();
      callback(Object.assign(new Error(refusal >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: refusal }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
        const headers: Record<string, string> = {};
        for (const line of head.split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const envelope = session.envelope;
        messages.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : undefined,
          to: envelope.rcptTo.map((r) => r.address),
          headers,
          raw,
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    /** RCPT TO commands seen: one per delivery attempt of a single-recipient message. */
    attempts: () => attempts,
    refuseWith(code: number | undefined) {
      refusal = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpReceiver = Awaited<ReturnType<typeof startSmtpReceiver>>;
