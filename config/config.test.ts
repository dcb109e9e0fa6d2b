import { describe, expect, it } from 'vitest';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { AlarmRules, alarmRuleFor } from './alarm-rules.ts';
import { AssetRegistry, indexAssets } from './asset-registry.ts';
import { deviceMatchScore } from './device-match.ts';
import { loadConfig } from './load.ts';
import { TagRules, tagRuleFor } from './tag-rules.ts';

describe('configuration documents', () => {
  it('ships examples that validate', async () => {
    const assets = indexAssets(await loadConfig('assets', AssetRegistry));
    expect(assets.placementOf('rtu-w01')).toEqual({ tenantId: 'acme-energy', fieldId: 'campo-norte', wellId: 'norte-01' });
    expect(assets.placementOf('nobody')).toBeUndefined();
    const tags = await loadConfig('tag-rules', TagRules);
    expect(tagRuleFor(tags, 'rtu-w01', 'tubing_pressure')?.unit).toBe('psi');
    expect(tagRuleFor(tags, 'rtu-w01', 'weight_on_bit')).toBeUndefined();
    expect(tagRuleFor(tags, 'rig-07', 'weight_on_bit')?.unit).toBe('klbf');
    const alarms = await loadConfig('alarm-rules', AlarmRules);
    expect(alarmRuleFor(alarms, 'rtu-w02', 'tubing_pressure')).toMatchObject({ limits: { HH: 1450, H: 1200 }, deadband: 25 });
    // The gas-lifted well's own limits win over the pad's.
    expect(alarmRuleFor(alarms, 'rtu-w04', 'casing_pressure')).toMatchObject({ limits: { L: 900, LL: 700 } });
    expect(assets.placementOf('rtu-w04')).toMatchObject({ wellId: 'norte-04' });
  });

  it('says where a broken asset registry is broken', () => {
    const text = [
      'tenants: [{ id: t1, name: T }]',
      'fields: [{ id: f1, name: F, tenantId: t2 }]',
      'wells: [{ id: w1, name: W, fieldId: f1 }]',
      'devices:',
      '  - { id: d1, wellId: w9 }',
      '  - { id: d2, wellId: w1, fieldId: f1 }',
      '',
    ].join('\n');
    expect(() => loadYamlConfig(text, 'assets.yaml', AssetRegistry)).toThrow(/assets\.yaml:2: fields\.0\.tenantId: no tenant "t2"/);
    expect(() => loadYamlConfig(text, 'assets.yaml', AssetRegistry)).toThrow(/assets\.yaml:5: devices\.0\.wellId: no well "w9"/);
    expect(() => loadYamlConfig(text, 'assets.yaml', AssetRegistry)).toThrow(
      /assets\.yaml:6: devices\.1: a device belongs to exactly one of wellId or fieldId/,
    );
  });

  it('refuses alarm limits in the wrong order', () => {
    expect(() => loadYamlConfig('rules:\n  - tagId: p\n    limits: { HH: 100, H: 120 }\n', 'alarm-rules.yaml', AlarmRules)).toThrow(
      /alarm-rules\.yaml:3: rules\.0\.limits\.HH: HH \(100\) must be above H \(120\)/,
    );
  });

  it('prefers an exact device over a longer glob over a shorter one', () => {
    expect(deviceMatchScore(['rtu-w01'], 'rtu-w01')).toBeGreaterThan(deviceMatchScore(['rtu-*'], 'rtu-w01'));
    expect(deviceMatchScore(['rtu-*'], 'rtu-w01')).toBeGreaterThan(deviceMatchScore(['*'], 'rtu-w01'));
    expect(deviceMatchScore(['rig-*'], 'rtu-w01')).toBe(-1);
    const rules = TagRules.parse({
      tags: [
        { tagId: 'p', unit: 'a' },
        { tagId: 'p', devices: ['rtu-*'], unit: 'b' },
        { tagId: 'p', devices: ['rtu-w01'], unit: 'c' },
      ],
    });
    expect(['rtu-w01', 'rtu-w02', 'x'].map((d) => tagRuleFor(rules, d, 'p')?.unit)).toEqual(['c', 'b', 'a']);
  });
});
