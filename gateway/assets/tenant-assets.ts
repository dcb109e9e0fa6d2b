import type { AssetIndex, AssetRegistry } from '../../config/asset-registry.ts';
import type { Principal } from '../auth/principal.ts';
import { problem } from '../http/problem.ts';

type Field = AssetRegistry['fields'][number];
type Well = AssetRegistry['wells'][number];
type Device = AssetRegistry['devices'][number];

/**
 * Where live values are kept: validate writes `telemetry:{asset}:…` per well, or per
 * field for equipment that belongs to no well (a separator, a compressor).
 */
export interface ValueAsset {
  assetId: string;
  kind: 'well' | 'field';
  name: string;
  fieldId: string;
  wellId: string | undefined;
  wellKind: Well['kind'] | undefined;
  deviceIds: string[];
}

/**
 * The asset registry seen through a tenant: the one place that decides whether a
 * device, well or field is the caller's. Someone else's asset is answered as if it
 * did not exist (404), so ids of other tenants cannot be probed.
 */
export interface TenantAssets {
  readonly index: AssetIndex;
  fields(tenantId: string): Field[];
  wells(tenantId: string): Well[];
  devices(tenantId: string): Device[];
  /** Every place current values live for the tenant: its wells, and its fields with well-less devices. */
  valueAssets(tenantId: string): ValueAsset[];
  tenantOfDevice(deviceId: string): string | undefined;
  tenantOfWell(wellId: string): string | undefined;
  tenantOfField(fieldId: string): string | undefined;
  /** The value asset (well, else field) a device's samples are kept under. */
  valueAssetOfDevice(deviceId: string): string | undefined;
  requireDevice(principal: Principal, deviceId: string): Device;
  requireWell(principal: Principal, wellId: string): Well;
  requireField(principal: Principal, fieldId: string): Field;
}

export function tenantAssets(index: AssetIndex): TenantAssets {
  const registry = index.registry;
  const fieldTenant = new Map(registry.fields.map((f) => [f.id, f.tenantId]));
  const wellTenant = new Map(registry.wells.map((w) => [w.id, fieldTenant.get(w.fieldId)]));
  const devices = new Map(registry.devices.map((d) => [d.id, d]));
  const fieldsOf = (tenantId: string) => registry.fields.filter((f) => f.tenantId === tenantId);
  const wellsOf = (tenantId: string) => registry.wells.filter((w) => wellTenant.get(w.id) === tenantId);
  const devicesOf = (tenantId: string) => registry.devices.filter((d) => index.placementOf(d.id)?.tenantId === tenantId);
  const notYours = (kind: string, id: string) => problem(404, `no ${kind} "${id}" in your tenant`);
  return {
    index,
    fields: fieldsOf,
    wells: wellsOf,
    devices: devicesOf,
    valueAssets(tenantId) {
      const wells: ValueAsset[] = wellsOf(tenantId).map((w) => ({
        assetId: w.id,
        kind: 'well',
        name: w.name,
        fieldId: w.fieldId,
        wellId: w.id,
        wellKind: w.kind,
        deviceIds: index.devicesOfWell(w.id),
      }));
      const fields: ValueAsset[] = fieldsOf(tenantId)
        .map((f) => ({ field: f, deviceIds: registry.devices.filter((d) => d.fieldId === f.id).map((d) => d.id) }))
        .filter(({ deviceIds }) => deviceIds.length > 0)
        .map(({ field, deviceIds }) => ({
          assetId: field.id,
          kind: 'field',
          name: field.name,
          fieldId: field.id,
          wellId: undefined,
          wellKind: undefined,
          deviceIds,
        }));
      return [...wells, ...fields];
    },
    tenantOfDevice: (deviceId) => index.placementOf(deviceId)?.tenantId,
    tenantOfWell: (wellId) => wellTenant.get(wellId),
    tenantOfField: (fieldId) => fieldTenant.get(fieldId),
    valueAssetOfDevice(deviceId) {
      const placement = index.placementOf(deviceId);
      return placement && (placement.wellId ?? placement.fieldId);
    },
    requireDevice(principal, deviceId) {
      const device = devices.get(deviceId);
      if (!device || index.placementOf(deviceId)?.tenantId !== principal.tenantId) throw notYours('device', deviceId);
      return device;
    },
    requireWell(principal, wellId) {
      const well = index.well(wellId);
      if (!well || wellTenant.get(wellId) !== principal.tenantId) throw notYours('well', wellId);
      return well;
    },
    requireField(principal, fieldId) {
      const field = index.field(fieldId);
      if (!field || field.tenantId !== principal.tenantId) throw notYours('field', fieldId);
      return field;
    },
  };
}
