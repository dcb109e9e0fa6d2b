import { z } from 'zod';
import { Identifier } from '../contracts/telemetry.ts';

const Named = { id: Identifier, name: z.string().min(1).max(200) };

export const WellKind = z.enum(['oil', 'gas', 'water', 'injector', 'drilling']);
export type WellKind = z.infer<typeof WellKind>;

/**
 * The asset registry: tenant → field → well → device. Every device belongs to a well
 * (or directly to a field, for shared equipment such as a separator or a compressor);
 * validate enriches each sample with the chain, and tenant isolation rests on it.
 */
export const AssetRegistry = z
  .object({
    tenants: z.array(z.object(Named).strict()).min(1),
    fields: z.array(z.object({ ...Named, tenantId: Identifier }).strict()),
    wells: z.array(
      z
        .object({
          ...Named,
          fieldId: Identifier,
          kind: WellKind.default('oil'),
        })
        .strict(),
    ),
    devices: z.array(
      z
        .object({
          id: Identifier,
          description: z.string().max(200).default(''),
          wellId: Identifier.optional(),
          fieldId: Identifier.optional(),
        })
        .strict()
        .refine((d) => (d.wellId === undefined) !== (d.fieldId === undefined), 'a device belongs to exactly one of wellId or fieldId'),
    ),
  })
  .strict()
  .superRefine((registry, ctx) => {
    const ids = (items: { id: string }[]) => new Set(items.map((i) => i.id));
    const tenants = ids(registry.tenants);
    const fields = ids(registry.fields);
    const wells = ids(registry.wells);
    const unique = (kind: 'tenants' | 'fields' | 'wells' | 'devices') => {
      const seen = new Set<string>();
      registry[kind].forEach((item, index) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [kind, index, 'id'], message: `duplicate id "${item.id}"` });
        seen.add(item.id);
      });
    };
    for (const kind of ['tenants', 'fields', 'wells', 'devices'] as const) unique(kind);
    registry.fields.forEach((f, i) => {
      if (!tenants.has(f.tenantId)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'tenantId'], message: `no tenant "${f.tenantId}"` });
    });
    registry.wells.forEach((w, i) => {
      if (!fields.has(w.fieldId)) ctx.addIssue({ code: 'custom', path: ['wells', i, 'fieldId'], message: `no field "${w.fieldId}"` });
    });
    registry.devices.forEach((d, i) => {
      if (d.wellId !== undefined && !wells.has(d.wellId))
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'wellId'], message: `no well "${d.wellId}"` });
      if (d.fieldId !== undefined && !fields.has(d.fieldId))
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'fieldId'], message: `no field "${d.fieldId}"` });
    });
  });
export type AssetRegistry = z.infer<typeof AssetRegistry>;

/** Where a device sits: what validate stamps on every sample. */
export interface DevicePlacement {
  tenantId: string;
  fieldId: string;
  wellId: string | undefined;
}

export interface AssetIndex {
  placementOf(deviceId: string): DevicePlacement | undefined;
  well(wellId: string): AssetRegistry['wells'][number] | undefined;
  field(fieldId: string): AssetRegistry['fields'][number] | undefined;
  devicesOfWell(wellId: string): string[];
  readonly registry: AssetRegistry;
}

export function indexAssets(registry: AssetRegistry): AssetIndex {
  const fields = new Map(registry.fields.map((f) => [f.id, f]));
  const wells = new Map(registry.wells.map((w) => [w.id, w]));
  const placements = new Map<string, DevicePlacement>();
  const byWell = new Map<string, string[]>();
  for (const device of registry.devices) {
    const fieldId = device.wellId ? (wells.get(device.wellId)?.fieldId ?? '') : (device.fieldId ?? '');
    const tenantId = fields.get(fieldId)?.tenantId ?? '';
    placements.set(device.id, { tenantId, fieldId, wellId: device.wellId });
    if (device.wellId) byWell.set(device.wellId, [...(byWell.get(device.wellId) ?? []), device.id]);
  }
  return {
    registry,
    placementOf: (deviceId) => placements.get(deviceId),
    well: (wellId) => wells.get(wellId),
    field: (fieldId) => fields.get(fieldId),
    devicesOfWell: (wellId) => byWell.get(wellId) ?? [],
  };
}
