import type { AlarmState, AlarmTransition } from '#contracts';

/** What can happen to an alarm: its condition comes and goes, operators act on it. */
export type LifecycleInput =
  | { kind: 'activate' }
  | { kind: 'clear' }
  | { kind: 'acknowledge' }
  | { kind: 'shelve' }
  | { kind: 'unshelve' }
  | { kind: 'suppress' }
  | { kind: 'unsuppress' };

export interface Step {
  state: AlarmState;
  transition: AlarmTransition;
}

/**
 * The ISA-18.2 alarm state machine. `conditionActive` is whether the alarm condition
 * holds right now (after its delays); it decides where an alarm goes when it comes
 * back from shelving or suppression. Undefined means "nothing happens" (acknowledging
 * an alarm with nothing to acknowledge, a condition change while shelved).
 *
 *   NORMAL        ─activate→ UNACK_ACTIVE ─acknowledge→ ACK_ACTIVE ─clear→ NORMAL
 *   UNACK_ACTIVE  ─clear→    RTN_UNACK    ─acknowledge→ NORMAL
 *   RTN_UNACK     ─activate→ UNACK_ACTIVE
 *   any but SUPPRESSED ─shelve→ SHELVED ─unshelve (or expiry)→ UNACK_ACTIVE if active, else NORMAL
 *   any           ─suppress→ SUPPRESSED ─unsuppress→ UNACK_ACTIVE if active, else NORMAL
 */
export function lifecycleStep(state: AlarmState, conditionActive: boolean, input: LifecycleInput): Step | undefined {
  const back = (transition: AlarmTransition): Step => ({ state: conditionActive ? 'UNACK_ACTIVE' : 'NORMAL', transition });
  switch (input.kind) {
    case 'activate':
      return state === 'NORMAL' || state === 'RTN_UNACK' ? { state: 'UNACK_ACTIVE', transition: 'raised' } : undefined;
    case 'clear':
      if (state === 'UNACK_ACTIVE') return { state: 'RTN_UNACK', transition: 'cleared' };
      if (state === 'ACK_ACTIVE') return { state: 'NORMAL', transition: 'cleared' };
      return undefined;
    case 'acknowledge':
      if (state === 'UNACK_ACTIVE') return { state: 'ACK_ACTIVE', transition: 'acknowledged' };
      if (state === 'RTN_UNACK') return { state: 'NORMAL', transition: 'acknowledged' };
      return undefined;
    case 'shelve':
      return state === 'SUPPRESSED' ? undefined : { state: 'SHELVED', transition: 'shelved' };
    case 'unshelve':
      return state === 'SHELVED' ? back('unshelved') : undefined;
    case 'suppress':
      return state === 'SUPPRESSED' ? undefined : { state: 'SUPPRESSED', transition: 'suppressed' };
    case 'unsuppress':
      return state === 'SUPPRESSED' ? back('unsuppressed') : undefined;
  }
}

/** States an operator must still see in the active list (RTN_UNACK: gone, but not yet acknowledged). */
export const isAnnunciated = (state: AlarmState): boolean => state === 'UNACK_ACTIVE' || state === 'ACK_ACTIVE' || state === 'RTN_UNACK';
