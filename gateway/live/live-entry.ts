/** One event as a room numbers and fans it out; serialised once per format, shared by every member. */
export interface LiveEntry {
  room: string;
  epoch: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  deviceId: string | undefined;
  /** What a newer entry may replace in a slow client's queue; undefined: never replaced. */
  key: string | undefined;
  textAs(format: EntryFormat): string;
}

export type EntryFormat = (entry: LiveEntry) => string;

/** The /v1/live message: `{ room, seq, type, data }`. */
export const liveFormat: EntryFormat = (e) => JSON.stringify({ room: e.room, seq: e.seq, type: e.type, data: e.data });

export function liveEntry(room: string, epoch: string, seq: number, type: string, data: Record<string, unknown>): LiveEntry {
  const texts = new Map<EntryFormat, string>();
  const deviceId = typeof data.deviceId === 'string' ? data.deviceId : undefined;
  const entry: LiveEntry = {
    room,
    epoch,
    seq,
    type,
    data,
    deviceId,
    key: keyOf(room, type, data, deviceId),
    textAs(format) {
      let text = texts.get(format);
      if (text === undefined) {
        text = format(entry);
        texts.set(format, text);
      }
      return text;
    },
  };
  return entry;
}

/** Latest-wins identities: a tag's value, an alarm's state, a calculation's result, the status board. */
function keyOf(room: string, type: string, data: Record<string, unknown>, deviceId: string | undefined): string | undefined {
  if (type === 'telemetry:update') return `${room}|t|${deviceId}|${String(data.tagId)}`;
  if (type.startsWith('alarm:') && typeof data.alarmId === 'string') return `${room}|a|${data.alarmId}`;
  if (type.startsWith('calculation:')) return `${room}|c|${type}|${String(data.wellId)}|${String(data.kind ?? '')}`;
  if (type === 'system:status') return `${room}|s`;
  return undefined;
}
