import type { AlarmRules } from '../../config/alarm-rules.ts';
import type { AssetRegistry } from '../../config/asset-registry.ts';
import type { Channels } from '../../config/channels.ts';
import { deviceMatchScore } from '../../config/device-match.ts';
import type { ConfigKind } from '../../config/load.ts';
import type { ProductionAccounting } from '../../config/production-accounting.ts';
import type { TagRules } from '../../config/tag-rules.ts';
import type { WellModels } from '../../config/well-models.ts';
import type { WellStatusRules } from '../../config/well-status-rules.ts';
import type { TenantAssets } from '../assets/tenant-assets.ts';

/**
 * The part of a global configuration document that concerns one tenant, for readers
 * who are not admins: the documents are shared by every tenant, and a supervisor must
 * not learn another tenant's wells, devices or notification addresses from them.
 *   assets       the tenant, its fields, their wells and devices
 *   channels     the tenant's channels and routes
 *   well-models  the models of the tenant's wells (calculation settings are shared)
 *   well-status-rules  the profiles that name a well or field of the tenant, or only kinds of well (shared)
 *   tag-rules, alarm-rules  the rules whose device patterns match a device of the tenant
 *   production-accounting  the tenant's fields
 *   well-test-rules  whole: tag names and stabilisation limits, no tenant's assets
 * Devices and wells are the tenant's by the asset registry the gateway loaded at start.
 */
export function tenantViewOf(kind: ConfigKind, document: unknown, tenantId: string, assets: TenantAssets): unknown {
  const devices = assets.devices(tenantId).map((d) => d.id);
  const concernsTenant = (patterns: readonly string[]) => devices.some((id) => deviceMatchScore(patterns, id) >= 0);
  switch (kind) {
    case 'assets': {
      const doc = document as AssetRegistry;
      const fields = doc.fields.filter((f) => f.tenantId === tenantId);
      const fieldIds = new Set(fields.map((f) => f.id));
      const wells = doc.wells.filter((w) => fieldIds.has(w.fieldId));
      const wellIds = new Set(wells.map((w) => w.id));
      return {
        tenants: doc.tenants.filter((t) => t.id === tenantId),
        fields,
        wells,
        devices: doc.devices.filter((d) => (d.wellId !== undefined ? wellIds.has(d.wellId) : fieldIds.has(d.fieldId ?? ''))),
      } satisfies AssetRegistry;
    }
    case 'channels': {
      const doc = document as Channels;
      return {
        ...doc,
        channels: doc.channels.filter((c) => c.tenant === tenantId),
        routes: doc.routes.filter((r) => r.tenant === tenantId),
      } satisfies Channels;
    }
    case 'well-models': {
      const doc = document as WellModels;
      return { ...doc, wells: doc.wells.filter((w) => assets.tenantOfWell(w.wellId) === tenantId) } satisfies WellModels;
    }
    case 'well-status-rules': {
      const doc = document as WellStatusRules;
      const wells = new Set(assets.wells(tenantId).map((w) => w.id));
      const fields = new Set(assets.fields(tenantId).map((f) => f.id));
      // A profile by kind of well names nobody; one by well or field is the tenant's when it names one of theirs.
      const concerns = (p: WellStatusRules['profiles'][number]) =>
        (p.wells.length === 0 && p.fields.length === 0) ||
        [...wells].some((w) => deviceMatchScore(p.wells, w) >= 0) ||
        p.fields.some((f) => fields.has(f));
      return { ...doc, profiles: doc.profiles.filter(concerns) } satisfies WellStatusRules;
    }
    case 'production-accounting': {
      const doc = document as ProductionAccounting;
      const fields = new Set(assets.fields(tenantId).map((f) => f.id));
      return { ...doc, fields: doc.fields.filter((f) => fields.has(f.fieldId)) } satisfies ProductionAccounting;
    }
    case 'well-test-rules':
      return document;
    case 'tag-rules': {
      const doc = document as TagRules;
      return { ...doc, tags: doc.tags.filter((t) => concernsTenant(t.devices)) } satisfies TagRules;
    }
    case 'alarm-rules': {
      const doc = document as AlarmRules;
      return { ...doc, rules: doc.rules.filter((r) => concernsTenant(r.devices)) } satisfies AlarmRules;
    }
  }
}
