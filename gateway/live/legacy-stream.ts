import { Identifier } from '#contracts';
import type { TenantAssets } from '../assets/tenant-assets.ts';
import type { Principal } from '../auth/principal.ts';
import { problem } from '../http/problem.ts';
import type { EntryFormat } from './live-entry.ts';

/**
 * Seed 002's stream, `/api/v1/stream?device_ids=a,b`: the rooms that carry those
 * devices (all of the tenant's without the parameter) and the device filter. Every id
 * must be a device of the caller's tenant: a typo is a 400, not a silent empty stream.
 */
export function legacyPlan(
  principal: Principal,
  deviceIdsParam: string | undefined,
  assets: TenantAssets,
): { rooms: string[]; deviceIds: Set<string> | undefined } {
  if (deviceIdsParam === undefined || deviceIdsParam.trim() === '') {
    return { rooms: assets.valueAssets(principal.tenantId).map((a) => `well:${a.assetId}`), deviceIds: undefined };
  }
  const ids = [
    ...new Set(
      deviceIdsParam
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
  if (ids.length > 500) throw problem(400, `device_ids lists ${ids.length} devices: at most 500 per stream`);
  const invalid = ids.filter((id) => !Identifier.safeParse(id).success);
  if (invalid.length > 0) throw problem(400, `device_ids holds ids that are not device ids: ${invalid.slice(0, 5).join(', ')}`);
  const foreign = ids.filter((id) => assets.tenantOfDevice(id) !== principal.tenantId);
  if (foreign.length > 0)
    throw problem(
      404,
      `no device ${foreign
        .slice(0, 5)
        .map((id) => `"${id}"`)
        .join(', ')} in your tenant`,
    );
  const rooms = new Set(ids.map((id) => `well:${assets.valueAssetOfDevice(id)}`));
  return { rooms: [...rooms], deviceIds: new Set(ids) };
}

/**
 * Seed 002's message: `data` with upper-case fields and `DEVICE_ID` (what its clients
 * filter on), `decoded` with the full Flowline event, `metadata`, and a `uuid`.
 */
export const legacyFormat: EntryFormat = (entry) => {
  const d = entry.data;
  const timestamp = typeof d.timestamp === 'number' ? new Date(d.timestamp).toISOString() : undefined;
  const data: Record<string, unknown> =
    entry.type === 'telemetry:update'
      ? { DEVICE_ID: d.deviceId, TAG_ID: d.tagId, VALUE: d.value, QUALITY: d.quality, STATUS: d.status, UNIT: d.unit, TIMESTAMP: timestamp }
      : entry.type.startsWith('alarm:')
        ? {
            DEVICE_ID: d.deviceId,
            TAG_ID: d.tagId,
            ALARM_ID: d.alarmId,
            SEVERITY: d.severity,
            STATE: d.state,
            MESSAGE: d.message,
            VALUE: d.value,
            THRESHOLD: d.threshold,
            TIMESTAMP: timestamp,
          }
        : { DEVICE_ID: d.deviceId, TIMESTAMP: timestamp };
  return JSON.stringify({
    data,
    decoded: d,
    metadata: { type: entry.type, room: entry.room, seq: entry.seq, tenantId: d.tenantId, wellId: d.wellId },
    uuid: `${entry.room}:${entry.epoch}:${entry.seq}`,
  });
};
