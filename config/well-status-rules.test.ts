import { describe, expect, it } from 'vitest';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { AssetRegistry } from './asset-registry.ts';
import { loadConfig } from './load.ts';
import { decidingTags, holdMsOf, profileFor, WellStatusRules } from './well-status-rules.ts';

describe('well-status-rules', () => {
  it('ships an example that gives every example well a profile', async () => {
    const rules = await loadConfig('well-status-rules', WellStatusRules);
    const assets = await loadConfig('assets', AssetRegistry);
    const profileOf = (id: string) =>
      profileFor(rules, assets.wells.find((w) => w.id === id) ?? { id, name: id, fieldId: '', kind: 'water' });
    expect(assets.wells.map((w) => `${w.id} ${profileOf(w.id)?.id}`)).toEqual([
      'norte-01 esp-oil',
      'norte-02 esp-oil',
      'norte-03 esp-oil',
      'norte-04 gas-lift-oil', // its own id wins over its kind
      'norte-07 drilling',
    ]);
    expect(profileOf('a-water-well')).toBeUndefined();
    const esp = profileOf('norte-01');
    if (!esp) throw new Error('norte-01 has no profile');
    expect(decidingTags(esp)).toEqual(['well_test_active', 'ssv_open', 'esp_tripped', 'esp_running', 'choke_position', 'oil_rate']);
    expect([holdMsOf(esp, 'down'), holdMsOf(esp, 'producing')]).toEqual([30_000, 120_000]);
  });

  it('says on which line a rule is wrong and what to write instead', () => {
    const text = [
      'profiles:',
      '  - id: esp',
      '    kinds: [oil]',
      '    rules:',
      '      - { status: down, when: { tagId: esp_tripped, above: 0.5 } }',
      '      - { status: producing, when: { tagId: oil_rate, above: 20, below: 5 } }',
      '    otherwise: { status: shut-in, reason: no-flow }',
      '  - id: esp',
      '    otherwise: { status: producing }',
      '',
    ].join('\n');
    const attempt = () => loadYamlConfig(text, 'well-status-rules.yaml', WellStatusRules);
    expect(attempt).toThrow(
      /well-status-rules\.yaml:5: profiles\.0\.rules\.0\.reason: a reason \(esp-trip, ssv-closed, no-flow\) is given exactly when/,
    );
    expect(attempt).toThrow(/well-status-rules\.yaml:6: profiles\.0\.rules\.1\.when\.above: give exactly one of above or below/);
    expect(attempt).toThrow(/well-status-rules\.yaml:7: profiles\.0\.otherwise\.reason: a reason is given exactly when the status is down/);
    expect(attempt).toThrow(/well-status-rules\.yaml:8: profiles\.1\.id: duplicate profile id "esp"/);
    expect(attempt).toThrow(/well-status-rules\.yaml:8: profiles\.1\.wells: say which wells the profile is for/);
  });
});
