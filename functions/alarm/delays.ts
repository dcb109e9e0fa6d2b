/** The on/off-delay timers of one alarm, by sample time (not wall-clock: late data is judged by when it was measured). */
export interface DelayTimers {
  /** The alarm (after delays) is active. */
  active: boolean;
  /** The raw condition has held since this sample time, waiting out the on-delay. */
  pendingSince: number | undefined;
  /** The raw condition has been gone since this sample time, waiting out the off-delay. */
  clearingSince: number | undefined;
}

export type DelayOutcome = { timers: DelayTimers; change: 'activate' | 'clear' | undefined };

/**
 * Feeds one sample's raw condition through the delays. The alarm activates once the
 * condition has held for `onDelayMs` (0: at once) and clears once it has been gone
 * for `offDelayMs`; a blip shorter than the delay resets the timer and changes nothing.
 */
export function applyDelays(timers: DelayTimers, holds: boolean, at: number, onDelayMs: number, offDelayMs: number): DelayOutcome {
  if (!timers.active) {
    if (!holds) return { timers: { active: false, pendingSince: undefined, clearingSince: undefined }, change: undefined };
    const since = timers.pendingSince ?? at;
    if (at - since >= onDelayMs) return { timers: { active: true, pendingSince: undefined, clearingSince: undefined }, change: 'activate' };
    return { timers: { active: false, pendingSince: since, clearingSince: undefined }, change: undefined };
  }
  if (holds) return { timers: { active: true, pendingSince: undefined, clearingSince: undefined }, change: undefined };
  const since = timers.clearingSince ?? at;
  if (at - since >= offDelayMs) return { timers: { active: false, pendingSince: undefined, clearingSince: undefined }, change: 'clear' };
  return { timers: { active: true, pendingSince: undefined, clearingSince: since }, change: undefined };
}
