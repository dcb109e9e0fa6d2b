import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Identifier } from '#contracts';
import type { GatewayEnv } from '../http/gateway-env.ts';
import { Problem } from '../http/problem.ts';
import { validationHook } from '../http/validation-hook.ts';
import type { GatewayServices } from '../services.ts';
import { readCurrentValues, TagValue } from '../store/current-values.ts';

const Device = z
  .object({
    id: z.string(),
    description: z.string(),
    wellId: z.string().optional(),
    fieldId: z.string(),
    valueAssetId: z.string().describe('where its current values are kept: its well, else its field'),
  })
  .openapi('Device');
const Well = z
  .object({ id: z.string(), name: z.string(), fieldId: z.string(), kind: z.string(), deviceIds: z.array(z.string()) })
  .openapi('Well');
const Field = z.object({ id: z.string(), name: z.string() }).openapi('Field');
const Assets = z
  .object({
    tenant: z.object({ id: z.string(), name: z.string() }),
    fields: z.array(Field),
    wells: z.array(Well),
    devices: z.array(Device),
  })
  .openapi('Assets');

const CurrentAsset = z
  .object({
    assetId: z.string(),
    kind: z.enum(['well', 'field']),
    name: z.string(),
    fieldId: z.string(),
    wellKind: z.string().optional(),
    tags: z.array(TagValue.extend({ staleAfterMs: z.number().int().describe('older than this, the value must not be shown as live') })),
  })
  .openapi('CurrentAsset');
const CurrentValues = z
  .object({
    serverTime: z.number().int().describe('the gateway’s clock, to compute ages without trusting the browser’s'),
    assets: z.array(CurrentAsset),
  })
  .openapi('CurrentValues');

/** The tenant's asset tree, its devices, and the current values kept in Redis. */
export function assetRoutes(s: GatewayServices) {
  const app = new OpenAPIHono<GatewayEnv>({ defaultHook: validationHook });
  const deviceView = (d: { id: string; description: string; wellId?: string | undefined; fieldId?: string | undefined }) => {
    const placement = s.assets.index.placementOf(d.id);
    return {
      id: d.id,
      description: d.description,
      ...(d.wellId ? { wellId: d.wellId } : {}),
      fieldId: placement?.fieldId ?? d.fieldId ?? '',
      valueAssetId: s.assets.valueAssetOfDevice(d.id) ?? '',
    };
  };

  app.openapi(
    s.secured('assets.read', {
      method: 'get',
      path: '/v1/assets',
      tags: ['assets'],
      summary: 'The caller’s tenant: its fields, wells and devices',
      responses: { 200: { description: 'The asset tree', content: { 'application/json': { schema: Assets } } } },
    }),
    (c) => {
      const { tenantId } = c.get('principal');
      const tenant = s.assets.index.registry.tenants.find((t) => t.id === tenantId) ?? { id: tenantId, name: tenantId };
      return c.json(
        {
          tenant: { id: tenant.id, name: tenant.name },
          fields: s.assets.fields(tenantId).map((f) => ({ id: f.id, name: f.name })),
          wells: s.assets
            .wells(tenantId)
            .map((w) => ({ id: w.id, name: w.name, fieldId: w.fieldId, kind: w.kind, deviceIds: s.assets.index.devicesOfWell(w.id) })),
          devices: s.assets.devices(tenantId).map(deviceView),
        },
        200,
      );
    },
  );

  app.openapi(
    s.secured('assets.read', {
      method: 'get',
      path: '/v1/devices',
      tags: ['assets'],
      summary: 'The caller’s devices',
      responses: { 200: { description: 'Devices', content: { 'application/json': { schema: z.object({ devices: z.array(Device) }) } } } },
    }),
    (c) => c.json({ devices: s.assets.devices(c.get('principal').tenantId).map(deviceView) }, 200),
  );

  app.openapi(
    s.secured('assets.read', {
      method: 'get',
      path: '/v1/devices/{deviceId}',
      tags: ['assets'],
      summary: 'One device',
      request: { params: z.object({ deviceId: Identifier }) },
      responses: {
        200: { description: 'The device', content: { 'application/json': { schema: Device } } },
        404: { description: 'No such device in the caller’s tenant', content: { 'application/json': { schema: Problem } } },
      },
    }),
    (c) => c.json(deviceView(s.assets.requireDevice(c.get('principal'), c.req.valid('param').deviceId)), 200),
  );

  app.openapi(
    s.secured('values.read', {
      method: 'get',
      path: '/v1/current',
      tags: ['values'],
      summary: 'Current values (Redis) of the tenant’s wells, with their last samples and how old each may get',
      request: {
        query: z.object({
          assetIds: z
            .string()
            .regex(/^[A-Za-z0-9._:,-]+$/, 'a comma-separated list of well (or field) ids')
            .optional()
            .describe('only these wells (or fields); default all of the tenant’s'),
        }),
      },
      responses: {
        200: { description: 'Current values', content: { 'application/json': { schema: CurrentValues } } },
        404: { description: 'An asset that is not the caller’s', content: { 'application/json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const principal = c.get('principal');
      const all = s.assets.valueAssets(principal.tenantId);
      const wanted = c.req.valid('query').assetIds?.split(',').filter(Boolean);
      for (const id of wanted ?? []) if (!all.some((a) => a.assetId === id)) s.assets.requireWell(principal, id);
      const assets = wanted ? all.filter((a) => wanted.includes(a.assetId)) : all;
      const values = await readCurrentValues(
        s.redis,
        assets.map((a) => a.assetId),
        c.get('log'),
      );
      return c.json(
        {
          serverTime: s.clock(),
          assets: assets.map((a) => ({
            assetId: a.assetId,
            kind: a.kind,
            name: a.name,
            fieldId: a.fieldId,
            ...(a.wellKind ? { wellKind: a.wellKind } : {}),
            tags: (values.get(a.assetId) ?? []).map((t) => ({ ...t, staleAfterMs: s.staleAfterMs(t.deviceId, t.tagId) })),
          })),
        },
        200,
      );
    },
  );
  return app;
}
