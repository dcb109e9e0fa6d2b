import { describe, expect, it } from 'vitest';
import type { AlarmState } from '#contracts';
import { type LifecycleInput, lifecycleStep } from './lifecycle.ts';

const inputs: LifecycleInput['kind'][] = ['activate', 'clear', 'acknowledge', 'shelve', 'unshelve', 'suppress', 'unsuppress'];

// Every state × input, with the condition active (first) and inactive (second) where it matters.
const table: Record<AlarmState, Record<LifecycleInput['kind'], string>> = {
  NORMAL: {
    activate: 'UNACK_ACTIVE raised',
    clear: '-',
    acknowledge: '-',
    shelve: 'SHELVED shelved',
    unshelve: '-',
    suppress: 'SUPPRESSED suppressed',
    unsuppress: '-',
  },
  UNACK_ACTIVE: {
    activate: '-',
    clear: 'RTN_UNACK cleared',
    acknowledge: 'ACK_ACTIVE acknowledged',
    shelve: 'SHELVED shelved',
    unshelve: '-',
    suppress: 'SUPPRESSED suppressed',
    unsuppress: '-',
  },
  ACK_ACTIVE: {
    activate: '-',
    clear: 'NORMAL cleared',
    acknowledge: '-',
    shelve: 'SHELVED shelved',
    unshelve: '-',
    suppress: 'SUPPRESSED suppressed',
    unsuppress: '-',
  },
  RTN_UNACK: {
    activate: 'UNACK_ACTIVE raised',
    clear: '-',
    acknowledge: 'NORMAL acknowledged',
    shelve: 'SHELVED shelved',
    unshelve: '-',
    suppress: 'SUPPRESSED suppressed',
    unsuppress: '-',
  },
  SHELVED: {
    activate: '-',
    clear: '-',
    acknowledge: '-',
    shelve: 'SHELVED shelved',
    unshelve: 'UNACK_ACTIVE|NORMAL unshelved',
    suppress: 'SUPPRESSED suppressed',
    unsuppress: '-',
  },
  SUPPRESSED: {
    activate: '-',
    clear: '-',
    acknowledge: '-',
    shelve: '-',
    unshelve: '-',
    suppress: '-',
    unsuppress: 'UNACK_ACTIVE|NORMAL unsuppressed',
  },
};

describe('ISA-18.2 lifecycle', () => {
  for (const [state, row] of Object.entries(table) as [AlarmState, Record<LifecycleInput['kind'], string>][]) {
    it(`from ${state}`, () => {
      for (const kind of inputs) {
        const [targets = '-', transition] = row[kind].split(' ');
        const [whenActive, whenInactive = whenActive] = targets.split('|');
        const active = lifecycleStep(state, true, { kind });
        const inactive = lifecycleStep(state, false, { kind });
        if (targets === '-') {
          expect(active, `${state} + ${kind}`).toBeUndefined();
          expect(inactive, `${state} + ${kind}`).toBeUndefined();
        } else {
          expect(active, `${state} + ${kind} (active)`).toEqual({ state: whenActive, transition });
          expect(inactive, `${state} + ${kind} (inactive)`).toEqual({ state: whenInactive, transition });
        }
      }
    });
  }
});
