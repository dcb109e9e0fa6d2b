/**
 * The browser's end of /v1/live: one WebSocket for every room a screen needs. It
 * reconnects by itself (with backoff) and resumes each room from the last event seen;
 * when the gateway cannot replay what was missed it says "resync" and the screen
 * reloads that room's snapshot. No message for a while (not even the keep-alive) means
 * a dead link, even if the socket looks open: it is closed and reopened.
 */

export type RoomEvent = { room: string; seq: number; type: string; data: Record<string, unknown> };

interface RoomSubscription {
  /** Loads the room's snapshot: at the first subscription, and whenever events were lost. */
  resync(): void;
  epoch?: string;
  seq?: number;
}

export type LinkState = 'connecting' | 'live' | 'reconnecting';

export class LiveLink {
  private socket: WebSocket | undefined;
  private readonly rooms = new Map<string, RoomSubscription>();
  private attempts = 0;
  private lastMessageAt = 0;
  private keepAliveMs = 15_000;
  private watchdog: number | undefined;
  private retry: number | undefined;
  private stopped = false;
  private readonly token: () => string | undefined;
  private readonly onEvent: (event: RoomEvent) => void;
  private readonly onState: (state: LinkState, detail: string, serverTime?: number) => void;
  private readonly onSessionEnded: () => void;

  constructor(options: {
    token: () => string | undefined;
    onEvent: (event: RoomEvent) => void;
    onState: (state: LinkState, detail: string, serverTime?: number) => void;
    /** The gateway closed the link because the sign-in session ended (signed out elsewhere, revoked). */
    onSessionEnded?: () => void;
  }) {
    this.token = options.token;
    this.onEvent = options.onEvent;
    this.onState = options.onState;
    this.onSessionEnded = options.onSessionEnded ?? (() => {});
  }

  start(): void {
    this.stopped = false;
    this.open();
    this.watchdog = window.setInterval(() => {
      if (this.socket?.readyState === WebSocket.OPEN && Date.now() - this.lastMessageAt > this.keepAliveMs * 2.5) {
        this.socket.close(4000, 'no keep-alive');
      }
    }, 1_000);
  }

  stop(): void {
    this.stopped = true;
    window.clearInterval(this.watchdog);
    window.clearTimeout(this.retry);
    this.socket?.close(1000, 'signed out');
    this.rooms.clear();
  }

  subscribe(room: string, resync: () => void): void {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, { resync });
    this.send({ op: 'subscribe', room });
  }

  unsubscribe(room: string): void {
    if (this.rooms.delete(room)) this.send({ op: 'unsubscribe', room });
  }

  private send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private open(): void {
    const token = this.token();
    if (!token || this.stopped) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/live`;
    const socket = new WebSocket(url, ['flowline.v1', `bearer.${token}`]);
    this.socket = socket;
    this.onState(this.attempts === 0 ? 'connecting' : 'reconnecting', 'connecting…');
    socket.onopen = () => {
      this.lastMessageAt = Date.now();
      for (const [room, sub] of this.rooms) {
        this.send({
          op: 'subscribe',
          room,
          ...(sub.epoch !== undefined && sub.seq !== undefined ? { after: { epoch: sub.epoch, seq: sub.seq } } : {}),
        });
      }
    };
    socket.onmessage = (message) => {
      this.lastMessageAt = Date.now();
      this.handle(JSON.parse(String(message.data)) as Record<string, unknown>);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.stopped) return;
      if (event.code === 4401) this.onSessionEnded(); // the gateway's sessionEndedCloseCode
      this.attempts += 1;
      const delay = Math.min(15_000, 500 * 2 ** Math.min(this.attempts, 5)) * (0.75 + Math.random() / 2);
      this.onState('reconnecting', `link lost: reconnecting in ${Math.ceil(delay / 1000)} s`);
      this.retry = window.setTimeout(() => this.open(), delay);
    };
  }

  private handle(message: Record<string, unknown>): void {
    const room = typeof message.room === 'string' ? message.room : undefined;
    const sub = room ? this.rooms.get(room) : undefined;
    switch (message.type) {
      case 'welcome':
        this.keepAliveMs = Number(message.keepAliveMs) || this.keepAliveMs;
        this.attempts = 0;
        this.onState('live', 'live', Number(message.serverTime));
        return;
      case 'keep-alive':
        this.onState('live', 'live', Number(message.serverTime));
        return;
      case 'subscribed': {
        if (!sub) return;
        const fresh = sub.epoch === undefined || message.resync === true;
        sub.epoch = String(message.epoch);
        if (fresh) {
          sub.seq = Number(message.seq);
          sub.resync();
        }
        return;
      }
      case 'resync':
        sub?.resync();
        return;
      case 'error':
        console.warn('live:', message.error);
        return;
      case 'unsubscribed':
        return;
      default:
        if (!sub || !room || typeof message.seq !== 'number') return;
        sub.seq = Math.max(sub.seq ?? 0, message.seq);
        this.onEvent({ room, seq: message.seq, type: String(message.type), data: message.data as Record<string, unknown> });
    }
  }
}
