import type { TenantAssets } from '../assets/tenant-assets.ts';

/**
 * Seed 001's rooms, and the Redis channels behind each (`live:` + room, published by
 * validate, calc, well-status and notify):
 *   well:{wellId}                  a well's telemetry, calculations, status (`well:status`) and alarms
 *   field:{fieldId}                the field's alarms, and the telemetry and status of all its wells
 *   alarms:{tenantId}              every alarm event of the tenant
 *   alarms:{tenantId}:critical     only the critical ones
 *   system:{tenantId}              function and edge status (made by the gateway itself), and the
 *                                  edge's command results (published by the gateway that filed them)
 */
export type RoomKind = 'well' | 'field' | 'alarms' | 'alarms-critical' | 'system';

export interface Room {
  name: string;
  kind: RoomKind;
  id: string;
}

/** A Redis channel a room listens to, and which of its message types it takes from there. */
export interface RoomSource {
  channel: string;
  accepts(type: string): boolean;
}

const idPattern = '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}';
const patterns: [RoomKind, RegExp][] = [
  ['alarms-critical', new RegExp(`^alarms:(${idPattern.replace(':', '')}):critical$`)],
  ['alarms', new RegExp(`^alarms:(${idPattern})$`)],
  ['well', new RegExp(`^well:(${idPattern})$`)],
  ['field', new RegExp(`^field:(${idPattern})$`)],
  ['system', new RegExp(`^system:(${idPattern})$`)],
];

export function parseRoom(name: string): Room | undefined {
  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(name);
    if (match?.[1]) return { name, kind, id: match[1] };
  }
  return undefined;
}

const isAlarm = (type: string) => type.startsWith('alarm:');

/**
 * The tenant a room belongs to, or undefined when there is no such room. A `well:` room
 * also serves a field's well-less equipment (validate keeps its values under the field).
 */
export function tenantOfRoom(room: Room, assets: TenantAssets): string | undefined {
  switch (room.kind) {
    case 'well':
      return assets.tenantOfWell(room.id) ?? (assets.index.field(room.id) ? assets.tenantOfField(room.id) : undefined);
    case 'field':
      return assets.tenantOfField(room.id);
    case 'alarms':
    case 'alarms-critical':
    case 'system':
      return assets.index.registry.tenants.some((t) => t.id === room.id) ? room.id : undefined;
  }
}

export function sourcesOf(room: Room, assets: TenantAssets): RoomSource[] {
  const all = () => true;
  switch (room.kind) {
    case 'well':
      return [{ channel: `live:well:${room.id}`, accepts: all }];
    case 'field': {
      // Alarms come once, from the field's own channel; telemetry and calculations from each well's.
      const wells = assets.index.registry.wells.filter((w) => w.fieldId === room.id).map((w) => w.id);
      const notAlarm = (type: string) => !isAlarm(type);
      return [
        { channel: `live:field:${room.id}`, accepts: all },
        ...[...wells, room.id].map((asset) => ({ channel: `live:well:${asset}`, accepts: notAlarm })),
      ];
    }
    case 'alarms':
      return [{ channel: `live:alarms:${room.id}`, accepts: all }];
    case 'alarms-critical':
      return [{ channel: `live:alarms:${room.id}:critical`, accepts: all }];
    case 'system':
      return [{ channel: `live:system:${room.id}`, accepts: all }];
  }
}
