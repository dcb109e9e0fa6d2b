/** A seeded generator (mulberry32): the same seed gives the same well pad, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gaussian noise (Box–Muller) with standard deviation `sigma`. */
export function gaussian(random: () => number, sigma: number): number {
  const u = Math.max(random(), Number.EPSILON);
  return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** First-order lag: how far `current` moves towards `target` in `dt` seconds with time constant `tau`. */
export function lag(current: number, target: number, dt: number, tau: number): number {
  return current + (target - current) * (1 - Math.exp(-dt / tau));
}

/** Moves `current` towards `target` by at most `ratePerSecond * dt`. */
export function ramp(current: number, target: number, dt: number, ratePerSecond: number): number {
  const step = ratePerSecond * dt;
  return Math.abs(target - current) <= step ? target : current + Math.sign(target - current) * step;
}
