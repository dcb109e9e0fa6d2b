import { describe, expect, it } from 'vitest';
import type { Command } from '../../contracts/command.ts';
import { type GuardPolicy, judgeCommand } from './command-guard.ts';

const now = 1_767_000_000_000;
const policy: GuardPolicy = {
  enabled: true,
  defaultRoles: ['operator', 'supervisor', 'admin'],
  maxAgeMs: 60_000,
  devices: new Set(['esp-vfd', 'wellhead-rtu']),
  allowList: new Map([
    [
      'esp-vfd',
      new Map([
        ['frequency-setpoint', { min: 35, max: 60 }],
        ['run', { min: 0, max: 1, roles: ['supervisor' as const, 'admin' as const] }],
      ]),
    ],
  ]),
};
const command = (overrides: Partial<Command> = {}): Command => ({
  commandId: 'c-1',
  timestamp: now - 1000,
  siteId: 'pad-7',
  deviceId: 'esp-vfd',
  tagId: 'frequency-setpoint',
  value: 50,
  requestedBy: { userId: 'ana', role: 'operator' },
  ...overrides,
});

describe('judgeCommand', () => {
  it('allows an allow-listed tag, within range, from a permitted role', () => {
    expect(judgeCommand(command(), policy, now)).toEqual({ allowed: true, writable: { min: 35, max: 60 } });
  });

  it.each([
    ['a disabled site', command(), { enabled: false }, 'commands-disabled'],
    ['a stale command', command({ timestamp: now - 61_000 }), {}, 'expired'],
    ['an expired command', command({ expiresAt: now - 1 }), {}, 'expired'],
    ['an unknown device', command({ deviceId: 'rig-plc' }), {}, 'unknown-device'],
    ['a tag off the allow-list', command({ deviceId: 'wellhead-rtu', tagId: 'w1-tubing-pressure' }), {}, 'tag-not-writable'],
    ['a viewer', command({ requestedBy: { userId: 'v', role: 'viewer' } }), {}, 'role-not-permitted'],
    ['an operator on a supervisor-only tag', command({ tagId: 'run', value: 1 }), {}, 'role-not-permitted'],
    ['a value above the range', command({ value: 60.5 }), {}, 'out-of-range'],
    ['a value below the range', command({ value: 0 }), {}, 'out-of-range'],
  ] as const)('refuses %s', (_, cmd, overrides, code) => {
    const verdict = judgeCommand(cmd, { ...policy, ...overrides }, now);
    expect(verdict).toMatchObject({ allowed: false, code });
    expect(verdict.allowed ? '' : verdict.reason).not.toBe('');
  });
});
