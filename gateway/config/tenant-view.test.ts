import { describe, expect, it } from 'vitest';
import { AlarmRules } from '../../config/alarm-rules.ts';
import { AssetRegistry, indexAssets } from '../../config/asset-registry.ts';
import { Channels } from '../../config/channels.ts';
import { TagRules } from '../../config/tag-rules.ts';
import { WellModels } from '../../config/well-models.ts';
import { WellStatusRules } from '../../config/well-status-rules.ts';
import { loadYamlConfig } from '../../runtime/yaml-config.ts';
import { tenantAssets } from '../assets/tenant-assets.ts';
import { fixtureAssets } from '../testing/gateway-fixture.ts';
import { tenantViewOf } from './tenant-view.ts';

/** acme owns field north (wells n-01, n-02; devices rtu-n01, rtu-n02, sep-north); globex owns south (s-01, rtu-s01). */
const registry = loadYamlConfig(fixtureAssets, 'assets.yaml', AssetRegistry);
const assets = tenantAssets(indexAssets(registry));

describe('a configuration document seen by one tenant', () => {
  it('keeps the tenant’s own assets only', () => {
    expect(tenantViewOf('assets', registry, 'acme', assets)).toEqual({
      tenants: [{ id: 'acme', name: 'ACME Energy' }],
      fields: [{ id: 'north', name: 'North', tenantId: 'acme' }],
      wells: [expect.objectContaining({ id: 'n-01' }), expect.objectContaining({ id: 'n-02' })],
      devices: [
        expect.objectContaining({ id: 'rtu-n01' }),
        expect.objectContaining({ id: 'rtu-n02' }),
        expect.objectContaining({ id: 'sep-north' }),
      ],
    });
    expect(JSON.stringify(tenantViewOf('assets', registry, 'acme', assets))).not.toMatch(/globex|south|s-01/);
  });

  it('keeps the rules that apply to one of the tenant’s devices, globs included', () => {
    const rules = AlarmRules.parse({
      rules: [
        { tagId: 'tubing_pressure', limits: { H: 1200 } },
        { tagId: 'tubing_pressure', devices: ['rtu-s*'], limits: { H: 900 } },
        { tagId: 'casing_pressure', devices: ['rtu-n01'], limits: { H: 800 } },
      ],
    });
    const view = tenantViewOf('alarm-rules', rules, 'acme', assets) as AlarmRules;
    expect(view.rules.map((r) => r.devices)).toEqual([['*'], ['rtu-n01']]);
    expect(view.flood).toEqual(rules.flood);
    const tags = TagRules.parse({
      tags: [
        { tagId: 'a', devices: ['rtu-s01'] },
        { tagId: 'b', devices: ['sep-*'] },
      ],
    });
    expect((tenantViewOf('tag-rules', tags, 'globex', assets) as TagRules).tags.map((t) => t.tagId)).toEqual(['a']);
  });

  it('keeps the tenant’s channels and routes, never another tenant’s addresses', () => {
    const channels = Channels.parse({
      channels: [
        { id: 'acme-ops', tenant: 'acme', kind: 'webhook', url: 'https://ops.acme.example/hook' },
        { id: 'globex-ops', tenant: 'globex', kind: 'webhook', url: 'https://ops.globex.example/hook' },
      ],
      routes: [
        { tenant: 'acme', channels: ['acme-ops'] },
        { tenant: 'globex', channels: ['globex-ops'] },
      ],
    });
    const view = tenantViewOf('channels', channels, 'acme', assets) as Channels;
    expect(view.channels.map((c) => c.id)).toEqual(['acme-ops']);
    expect(view.routes.map((r) => r.tenant)).toEqual(['acme']);
    expect(JSON.stringify(view)).not.toContain('globex');
  });

  it('keeps the models of the tenant’s wells and the shared calculation settings', () => {
    const models = WellModels.parse({ wells: [{ wellId: 'n-01' }, { wellId: 's-01' }] });
    const view = tenantViewOf('well-models', models, 'globex', assets) as WellModels;
    expect(view.wells.map((w) => w.wellId)).toEqual(['s-01']);
    expect(view.calculation).toEqual(models.calculation);
  });

  it('keeps the status profiles by kind of well, and those naming one of the tenant’s wells or fields', () => {
    const otherwise = { status: 'producing' };
    const rules = WellStatusRules.parse({
      profiles: [
        { id: 'oil', kinds: ['oil'], otherwise },
        { id: 'north-field', fields: ['north'], otherwise },
        { id: 'south-field', fields: ['south'], otherwise },
        { id: 'n-glob', wells: ['n-*'], otherwise },
        { id: 's-01', wells: ['s-01'], otherwise },
      ],
    });
    const view = tenantViewOf('well-status-rules', rules, 'acme', assets) as WellStatusRules;
    expect(view.profiles.map((p) => p.id)).toEqual(['oil', 'north-field', 'n-glob']);
  });
});
