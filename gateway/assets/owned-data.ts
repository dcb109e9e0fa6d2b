import type { Principal } from '../auth/principal.ts';
import { problem } from '../http/problem.ts';
import type { TenantAssets } from './tenant-assets.ts';

/**
 * Data a caller hands to the bus or a function names assets by `tenantId`, `fieldId`,
 * `wellId` and `deviceId`: each that is present must be the caller's, so no one can
 * write into another tenant's stream through a generic route.
 */
export function requireOwnedData(principal: Principal, data: unknown, assets: TenantAssets): void {
  if (typeof data !== 'object' || data === null) return;
  const record = data as Record<string, unknown>;
  if (typeof record.tenantId === 'string' && record.tenantId !== principal.tenantId)
    throw problem(403, `data.tenantId is "${record.tenantId}", but you act for tenant "${principal.tenantId}"`);
  if (typeof record.fieldId === 'string') assets.requireField(principal, record.fieldId);
  if (typeof record.wellId === 'string') assets.requireWell(principal, record.wellId);
  if (typeof record.deviceId === 'string') assets.requireDevice(principal, record.deviceId);
}

/** The Kafka key of caller-supplied data: its device, else its well, else the tenant (order per asset). */
export function keyOfData(principal: Principal, data: unknown): string {
  const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  for (const name of ['deviceId', 'wellId', 'fieldId'] as const) if (typeof record[name] === 'string') return record[name];
  return principal.tenantId;
}
