/**
 * The fault cases' samples: tubing pressure climbs 1000 → 1400 and back by 20 psi a step
 * (200 psi/s at 100 ms a step, under the tag's rate-of-change rule), so H (1200, deadband 25,
 * no delays) raises and clears once every 40 steps; and the transitions that wave calls for.
 */
export const STEP_MS = 100;
const H = { limit: 1200, deadband: 25 };

export const waveValue = (step: number): number => {
  const phase = step % 40;
  return 1000 + 20 * (phase <= 20 ? phase : 40 - phase);
};

export interface Transition {
  transition: 'raised' | 'cleared';
  step: number;
}

/**
 * H's transitions over steps [0, steps). With `resetAt`, the alarm's state is lost just
 * before that step (Redis back empty): the alarm starts again from NORMAL there, so a wave
 * above the limit raises it anew, and one inside the deadband never clears it.
 */
export function waveTransitions(steps: number, resetAt?: number): Transition[] {
  const out: Transition[] = [];
  let active = false;
  for (let s = 0; s < steps; s++) {
    if (s === resetAt) active = false;
    const v = waveValue(s);
    const holds: boolean = active ? v >= H.limit - H.deadband : v > H.limit;
    if (holds !== active) out.push({ transition: holds ? 'raised' : 'cleared', step: s });
    active = holds;
  }
  return out;
}

/** The step at which losing the state once makes the wave call for exactly `stored`, if there is one. */
export function resetThatExplains(stored: readonly Transition[], steps: number): number | undefined {
  const key = (ts: readonly Transition[]) => ts.map((t) => `${t.transition}@${t.step}`).join(' ');
  const wanted = key(stored);
  for (let k = 0; k < steps; k++) if (key(waveTransitions(steps, k)) === wanted) return k;
  return undefined;
}
