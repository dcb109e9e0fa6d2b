/** The part of a WebSocket the outbox needs (ws's WebSocket has it). */
export interface OutboxSocket {
  send(text: string): void;
  /** Bytes accepted by send() but not yet written to the network. */
  readonly bufferedAmount: number;
  readonly readyState: number;
  close(code: number, reason: string): void;
  /** Drops the connection at once (ws has it): a client too slow to read cannot read a close frame either. */
  terminate?(): void;
}

export interface OutboxLimits {
  /** Messages waiting at most; past it the oldest is dropped and its room told to resync. */
  maxQueued: number;
  /** send() only while the socket holds less than this: the kernel and ws buffers stay small. */
  highWaterMarkBytes: number;
  /** A client that takes nothing for this long is disconnected (it reconnects and resumes). */
  maxBlockedMs: number;
}

export interface OutboxStats {
  queued: number;
  queuedBytes: number;
  bufferedAmount: number;
  sent: number;
  coalesced: number;
  dropped: number;
}

const open = 1;

/**
 * One client's outgoing messages under back-pressure, in bounded memory. While the
 * socket keeps up, every message goes straight out. When it does not (a slow link, a
 * tab in the background), messages wait here: a newer message with the same key (the
 * same tag's value, the same alarm) replaces the waiting one, since a live view only
 * needs the latest; past `maxQueued` the oldest is dropped and its room marked for a
 * resync, which the client answers by reloading a snapshot. What the gateway holds for
 * a client is therefore at most `maxQueued` messages plus `highWaterMarkBytes`.
 */
export class ClientOutbox {
  private readonly queue = new Map<string, { room: string; text: string }>();
  private readonly resyncs = new Set<string>();
  private unique = 0;
  private queuedBytes = 0;
  private blockedSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counts = { sent: 0, coalesced: 0, dropped: 0 };
  private readonly socket: OutboxSocket;
  private readonly limits: OutboxLimits;
  private readonly hooks: { dropped(n: number): void; coalesced(): void; tooSlow(): void };
  /** Monotonic: how long a client has been blocked is real elapsed time, whatever the wall clock does. */
  private readonly clock: () => number;

  constructor(
    socket: OutboxSocket,
    limits: OutboxLimits,
    hooks: { dropped(n: number): void; coalesced(): void; tooSlow(): void },
    clock: () => number = () => performance.now(),
  ) {
    this.socket = socket;
    this.limits = limits;
    this.hooks = hooks;
    this.clock = clock;
  }

  /** Queues a message of `room`; `key` names what a newer message may replace. */
  push(room: string, text: string, key?: string): void {
    if (this.closed) return;
    const id = key ?? `#${this.unique++}`;
    const waiting = this.queue.get(id);
    if (waiting) {
      this.queue.delete(id);
      this.queuedBytes -= waiting.text.length;
      this.counts.coalesced++;
      this.hooks.coalesced();
    }
    this.queue.set(id, { room, text });
    this.queuedBytes += text.length;
    while (this.queue.size > this.limits.maxQueued) this.dropOldest();
    this.pump();
  }

  /** Tells the client a room's events were lost and it must reload that room's snapshot. */
  resync(room: string): void {
    if (this.closed) return;
    this.resyncs.add(room);
    this.pump();
  }

  stats(): OutboxStats {
    return { queued: this.queue.size, queuedBytes: this.queuedBytes, bufferedAmount: this.socket.bufferedAmount, ...this.counts };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue.clear();
    this.resyncs.clear();
    this.queuedBytes = 0;
  }

  private dropOldest(): void {
    const [oldest] = this.queue;
    if (!oldest) return;
    const [id, message] = oldest;
    this.queue.delete(id);
    this.queuedBytes -= message.text.length;
    this.counts.dropped++;
    this.hooks.dropped(1);
    if (message.room !== '') this.resyncs.add(message.room);
  }

  private pump(): void {
    if (this.closed || this.socket.readyState !== open) return;
    while (this.socket.bufferedAmount < this.limits.highWaterMarkBytes) {
      // A resync notice goes before the events still waiting: they are older than the snapshot it asks for.
      const [room] = this.resyncs;
      if (room !== undefined) {
        this.resyncs.delete(room);
        this.send(JSON.stringify({ type: 'resync', room, reason: 'events were dropped: the connection was too slow' }));
        continue;
      }
      const [next] = this.queue;
      if (!next) break;
      const [id, message] = next;
      this.queue.delete(id);
      this.queuedBytes -= message.text.length;
      this.send(message.text);
    }
    if (this.queue.size === 0 && this.resyncs.size === 0) {
      this.blockedSince = undefined;
      return;
    }
    const now = this.clock();
    this.blockedSince ??= now;
    if (now - this.blockedSince > this.limits.maxBlockedMs) {
      this.hooks.tooSlow();
      this.close();
      if (this.socket.terminate) this.socket.terminate();
      else this.socket.close(4008, 'too slow: nothing was read for too long; reconnect to resume');
      return;
    }
    // Nothing signals "the buffer drained" portably: look again shortly, only while blocked.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, 25);
  }

  private send(text: string): void {
    this.socket.send(text);
    this.counts.sent++;
  }
}
