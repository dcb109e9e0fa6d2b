import WebSocket from 'ws';

export type LiveMessage = { type: string; room?: string; seq?: number; data?: Record<string, unknown>; [key: string]: unknown };

export interface LiveClient {
  readonly socket: WebSocket;
  readonly messages: LiveMessage[];
  /** Room events only (telemetry, alarms, calculations, status), in arrival order. */
  events(room?: string): LiveMessage[];
  send(message: object): void;
  /** Resolves with the first message (already received or to come) that matches. */
  next(matches: (m: LiveMessage) => boolean, timeoutMs?: number): Promise<LiveMessage>;
  subscribe(room: string, extra?: object): Promise<LiveMessage>;
  close(): Promise<void>;
}

const control = new Set(['welcome', 'subscribed', 'unsubscribed', 'resync', 'keep-alive', 'error']);

/** A /v1/live client as a browser would open it: subprotocols flowline.v1 and bearer.<token>. */
export function openLiveClient(baseUrl: string, token: string, path = '/v1/live'): Promise<LiveClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, ['flowline.v1', `bearer.${token}`]);
  const messages: LiveMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as LiveMessage);
    for (const wake of waiters) wake();
  });
  const client: LiveClient = {
    socket,
    messages,
    events: (room) => messages.filter((m) => !control.has(m.type) && (room === undefined || m.room === room)),
    send: (message) => socket.send(JSON.stringify(message)),
    next(matches, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(matches);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching live message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async subscribe(room, extra = {}) {
      const before = messages.length;
      client.send({ op: 'subscribe', room, ...extra });
      return client.next((m) => messages.indexOf(m) >= before && m.room === room && (m.type === 'subscribed' || m.type === 'error'));
    },
    close: () =>
      new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** Waits until `probe` holds (polling), for what flows through functions asynchronously. */
export async function until(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
