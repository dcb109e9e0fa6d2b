/**
 * What one start-up (a test run's global setup, `services up`) started, so that it
 * stops exactly that: on its own teardown, and at once if a later service fails to
 * start, leaving nothing running that the next run would take for a stranger.
 */
export class StartedServices {
  private readonly stops: (() => Promise<unknown>)[] = [];

  /** Awaits a service's start; remembers its stop when this call started it (not when it was already running). */
  async use<S extends { started: boolean }>(service: Promise<S> | (() => Promise<S>), stop: () => Promise<unknown>): Promise<S> {
    const s = await (typeof service === 'function' ? service() : service);
    if (s.started) this.stops.push(stop);
    return s;
  }

  /** Stops what was started, newest first; every stop is tried even if one fails. */
  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) await stop().catch(() => {});
  }
}
