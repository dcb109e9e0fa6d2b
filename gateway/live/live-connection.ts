import type { TenantAssets } from '../assets/tenant-assets.ts';
import type { Principal } from '../auth/principal.ts';
import { ClientOutbox, type OutboxLimits, type OutboxSocket } from './client-outbox.ts';
import type { EntryFormat, LiveEntry } from './live-entry.ts';
import type { LiveHub, MemberFilter, Resume } from './live-hub.ts';
import { parseRoom, sourcesOf, tenantOfRoom } from './rooms.ts';

export interface LiveCounters {
  dropped(n: number): void;
  coalesced(): void;
  tooSlow(): void;
}

export interface ConnectionDeps {
  hub: LiveHub;
  assets: TenantAssets;
  limits: OutboxLimits & { maxRooms: number };
  counters: LiveCounters;
}

/**
 * One client connection's rooms and outgoing queue, whatever its protocol (/v1/live or
 * seed 002's stream): joins rooms of the principal's tenant only, filters by device,
 * formats entries its way, and leaves every room when the socket closes.
 */
export class LiveConnection {
  readonly outbox: ClientOutbox;
  private readonly rooms = new Set<string>();
  private readonly member = {
    deliver: (entry: LiveEntry) => this.outbox.push(entry.room, entry.textAs(this.format), entry.key),
    resync: (room: string) => this.outbox.resync(room),
  };
  private closed = false;
  private readonly principal: Principal;
  private readonly deps: ConnectionDeps;
  private readonly format: EntryFormat;

  constructor(socket: OutboxSocket, principal: Principal, deps: ConnectionDeps, format: EntryFormat) {
    this.principal = principal;
    this.deps = deps;
    this.format = format;
    this.outbox = new ClientOutbox(socket, deps.limits, deps.counters);
  }

  /** Joins a room; the error says why not (unknown, another tenant's, too many). */
  async join(
    name: string,
    filter: MemberFilter,
    resume?: Resume,
  ): Promise<{ ok: true; epoch: string; seq: number; replayed: number; resync: boolean } | { ok: false; error: string }> {
    const room = parseRoom(name);
    if (!room)
      return {
        ok: false,
        error: `"${name}" is not a room: use well:{wellId}, field:{fieldId}, alarms:{tenantId}, alarms:{tenantId}:critical or system:{tenantId}`,
      };
    if (tenantOfRoom(room, this.deps.assets) !== this.principal.tenantId) return { ok: false, error: `no room "${name}" in your tenant` };
    if (room.kind === 'system' && this.principal.role === 'scada') return { ok: false, error: 'the scada role reads no status' };
    if (!this.rooms.has(name) && this.rooms.size >= this.deps.limits.maxRooms)
      return { ok: false, error: `at most ${this.deps.limits.maxRooms} rooms per connection: unsubscribe from one first` };
    this.rooms.add(name);
    const result = await this.deps.hub.join(room, sourcesOf(room, this.deps.assets), this.member, filter, resume);
    // The socket may have closed while Redis confirmed the subscription.
    if (this.closed) this.deps.hub.leave(name, this.member);
    return { ok: true, ...result };
  }

  leave(name: string): boolean {
    if (!this.rooms.delete(name)) return false;
    this.deps.hub.leave(name, this.member);
    return true;
  }

  /** A message of the connection itself (welcome, acks, keep-alive), through the same queue. */
  control(message: object, key?: string): void {
    this.outbox.push('', JSON.stringify(message), key);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const room of this.rooms) this.deps.hub.leave(room, this.member);
    this.rooms.clear();
    this.outbox.close();
  }
}
