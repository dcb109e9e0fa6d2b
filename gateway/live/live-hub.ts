import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type LiveEntry, liveEntry } from './live-entry.ts';
import type { Room, RoomSource } from './rooms.ts';

/** A connection in a room: the hub hands it each entry that passes its filter. */
export interface RoomMember {
  deliver(entry: LiveEntry): void;
  /** Events of the room may have been lost (Redis reconnected): reload its snapshot. */
  resync(room: string): void;
}

export interface MemberFilter {
  /** Only events of these devices (seed 002's device_ids); undefined: all. */
  deviceIds?: ReadonlySet<string> | undefined;
}

export interface Resume {
  epoch: string;
  seq: number;
}

export type JoinResult = { epoch: string; seq: number; replayed: number; resync: boolean };

export interface HubOptions {
  /** Entries each room keeps for clients that reconnect and resume. */
  replaySize: number;
  /** How long an empty room (and its replay buffer) waits for its clients to come back. */
  idleMs: number;
}

export interface LiveHub {
  join(room: Room, sources: RoomSource[], member: RoomMember, filter: MemberFilter, resume?: Resume): Promise<JoinResult>;
  leave(roomName: string, member: RoomMember): void;
  /** An event made by the gateway itself (the status board), numbered and fanned out like the others. */
  inject(roomName: string, type: string, data: Record<string, unknown>): void;
  /** Rooms of a kind that someone is in. */
  occupied(prefix: string): string[];
  stats(): { rooms: number; channels: number; members: number };
  close(): Promise<void>;
}

interface RoomState {
  room: Room;
  epoch: string;
  seq: number;
  ring: LiveEntry[];
  members: Map<RoomMember, MemberFilter>;
  sources: RoomSource[];
  emptySince: number | undefined;
  /** Settles once Redis confirmed the room's subscriptions. */
  ready: Promise<void>;
}

const passes = (filter: MemberFilter, entry: LiveEntry) =>
  !filter.deviceIds || (entry.deviceId !== undefined && filter.deviceIds.has(entry.deviceId));

/**
 * The gateway's side of seed 001's rooms: one Redis subscriber connection, subscribed
 * to a channel only while some room needs it. Each room numbers its events (an epoch
 * names the numbering) and keeps the last `replaySize` of them, so a client that
 * reconnects with its last `{ epoch, seq }` gets exactly what it missed — or, when
 * that is no longer here (another replica, a restart, too long away), is told to
 * resync from a snapshot.
 */
export function createLiveHub(subscriber: Redis, options: HubOptions, clock: () => number, log: Logger): LiveHub {
  const rooms = new Map<string, RoomState>();
  const listeners = new Map<string, Set<RoomState>>();

  // Pub/sub keeps nothing for a subscriber that was away: after a reconnect (ioredis
  // resubscribes by itself) every member is told to reload its rooms' snapshots.
  let connectedOnce = false;
  subscriber.on('ready', () => {
    if (connectedOnce) {
      log.warn({ rooms: rooms.size }, 'live subscriber reconnected to Redis; asking every client to resync');
      for (const state of rooms.values()) for (const member of state.members.keys()) member.resync(state.room.name);
    }
    connectedOnce = true;
  });
  subscriber.on('error', (err: Error) => log.warn({ err: err.message }, 'live subscriber: Redis error (ioredis reconnects by itself)'));

  subscriber.on('message', (channel: string, text: string) => {
    const states = listeners.get(channel);
    if (!states || states.size === 0) return;
    const message = parse(text);
    if (!message) {
      log.warn({ channel }, 'unreadable live message (expected {"type","data"}); skipped');
      return;
    }
    for (const state of states) {
      if (state.sources.some((s) => s.channel === channel && s.accepts(message.type))) append(state, message.type, message.data);
    }
  });

  const sweep = setInterval(
    () => {
      const now = clock();
      for (const state of rooms.values()) {
        if (state.members.size === 0 && state.emptySince !== undefined && now - state.emptySince >= options.idleMs) void drop(state);
      }
    },
    Math.max(1_000, Math.floor(options.idleMs / 2)),
  );
  sweep.unref();

  function append(state: RoomState, type: string, data: Record<string, unknown>): void {
    state.seq += 1;
    const entry = liveEntry(state.room.name, state.epoch, state.seq, type, data);
    state.ring.push(entry);
    if (state.ring.length > options.replaySize) state.ring.shift();
    for (const [member, filter] of state.members) if (passes(filter, entry)) member.deliver(entry);
  }

  async function drop(state: RoomState): Promise<void> {
    rooms.delete(state.room.name);
    const unused: string[] = [];
    for (const source of state.sources) {
      const states = listeners.get(source.channel);
      states?.delete(state);
      if (states && states.size === 0) {
        listeners.delete(source.channel);
        unused.push(source.channel);
      }
    }
    if (unused.length > 0) await subscriber.unsubscribe(...unused).catch((err: unknown) => log.warn({ err }, 'unsubscribe failed'));
  }

  function open(room: Room, sources: RoomSource[]): RoomState {
    const state: RoomState = {
      room,
      epoch: randomUUID().slice(0, 8),
      seq: 0,
      ring: [],
      members: new Map(),
      sources,
      emptySince: clock(),
      ready: Promise.resolve(),
    };
    rooms.set(room.name, state);
    const fresh: string[] = [];
    for (const source of sources) {
      let states = listeners.get(source.channel);
      if (!states) {
        states = new Set();
        listeners.set(source.channel, states);
        fresh.push(source.channel);
      }
      states.add(state);
    }
    // Once Redis confirms, a client told "subscribed" can load its snapshot without a gap.
    if (fresh.length > 0) state.ready = subscriber.subscribe(...fresh).then(() => {});
    return state;
  }

  return {
    async join(room, sources, member, filter, resume) {
      const state = rooms.get(room.name) ?? open(room, sources);
      state.emptySince = undefined;
      await state.ready;
      // Joined only now, so a resumed client gets the missed entries before any new one.
      state.members.set(member, filter);
      if (!resume) return { epoch: state.epoch, seq: state.seq, replayed: 0, resync: false };
      const oldest = state.ring[0]?.seq ?? state.seq + 1;
      const covered = resume.epoch === state.epoch && resume.seq <= state.seq && resume.seq >= oldest - 1;
      if (!covered) return { epoch: state.epoch, seq: state.seq, replayed: 0, resync: true };
      let replayed = 0;
      for (const entry of state.ring) {
        if (entry.seq > resume.seq && passes(filter, entry)) {
          member.deliver(entry);
          replayed++;
        }
      }
      return { epoch: state.epoch, seq: state.seq, replayed, resync: false };
    },
    leave(roomName, member) {
      const state = rooms.get(roomName);
      if (!state) return;
      state.members.delete(member);
      if (state.members.size === 0) state.emptySince = clock();
    },
    inject(roomName, type, data) {
      const state = rooms.get(roomName);
      if (state) append(state, type, data);
    },
    occupied: (prefix) => [...rooms.values()].filter((s) => s.members.size > 0 && s.room.name.startsWith(prefix)).map((s) => s.room.name),
    stats: () => ({ rooms: rooms.size, channels: listeners.size, members: [...rooms.values()].reduce((n, s) => n + s.members.size, 0) }),
    async close() {
      clearInterval(sweep);
      rooms.clear();
      listeners.clear();
      await subscriber.quit().catch(() => {});
    },
  };
}

function parse(text: string): { type: string; data: Record<string, unknown> } | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; data?: unknown };
    if (typeof value.type !== 'string' || typeof value.data !== 'object' || value.data === null) return undefined;
    return { type: value.type, data: value.data as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
