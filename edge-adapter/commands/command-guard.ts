import type { Command, CommandOutcomeCode, Role } from '../../contracts/command.ts';
import type { Writable } from '../config/writable.ts';

/** The allow-list: per device, its writable tags. A tag not here is never written. */
export type WriteAllowList = ReadonlyMap<string, ReadonlyMap<string, Writable>>;

export interface GuardPolicy {
  enabled: boolean;
  /** Roles allowed on a writable tag that names none. */
  defaultRoles: readonly Role[];
  maxAgeMs: number;
  allowList: WriteAllowList;
  /** Devices this site has, writable or not: an unknown device and a read-only tag are told apart. */
  devices: ReadonlySet<string>;
}

export type Verdict = { allowed: true; writable: Writable } | { allowed: false; code: CommandOutcomeCode; reason: string };

/**
 * Whether a command may be applied, and if not why: the guard rails, in the order an
 * operator would want them explained. Pure; the device is not touched here.
 */
export function judgeCommand(command: Command, policy: GuardPolicy, now: number): Verdict {
  if (!policy.enabled)
    return { allowed: false, code: 'commands-disabled', reason: 'this site accepts no commands (commands.enabled is false)' };
  if (command.expiresAt !== undefined && command.expiresAt < now) {
    return { allowed: false, code: 'expired', reason: `expired at ${new Date(command.expiresAt).toISOString()}` };
  }
  const age = now - command.timestamp;
  if (age > policy.maxAgeMs) {
    return {
      allowed: false,
      code: 'expired',
      reason: `requested ${Math.round(age / 1000)} s ago; commands older than ${Math.round(policy.maxAgeMs / 1000)} s are stale and never applied`,
    };
  }
  if (!policy.devices.has(command.deviceId))
    return { allowed: false, code: 'unknown-device', reason: `this site has no device ${command.deviceId}` };
  const writable = policy.allowList.get(command.deviceId)?.get(command.tagId);
  if (!writable) {
    return { allowed: false, code: 'tag-not-writable', reason: `${command.deviceId}/${command.tagId} is not on the write allow-list` };
  }
  const roles = writable.roles ?? policy.defaultRoles;
  if (!roles.includes(command.requestedBy.role)) {
    return {
      allowed: false,
      code: 'role-not-permitted',
      reason: `role ${command.requestedBy.role} may not write ${command.deviceId}/${command.tagId} (allowed: ${roles.join(', ')})`,
    };
  }
  if (command.value < writable.min || command.value > writable.max) {
    return {
      allowed: false,
      code: 'out-of-range',
      reason: `${command.value} is outside the permitted range [${writable.min}, ${writable.max}] of ${command.deviceId}/${command.tagId}`,
    };
  }
  return { allowed: true, writable };
}
