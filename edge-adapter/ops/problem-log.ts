import type { Logger } from 'pino';

/**
 * Warnings about what a device sends, at most one a minute per kind of problem: a
 * transmitter that publishes garbage ten times a second must not drown the log (the
 * metrics count every one), yet the first of each kind is said at once, and later ones
 * say how many went unlogged.
 */
export class ProblemLog {
  private readonly log: Logger;
  private readonly intervalMs: number;
  private readonly kinds = new Map<string, { loggedAt: number; unlogged: number }>();

  constructor(log: Logger, intervalMs = 60_000) {
    this.log = log;
    this.intervalMs = intervalMs;
  }

  report(kind: string, fields: Record<string, unknown>, message: string, now = Date.now()): void {
    const seen = this.kinds.get(kind);
    if (seen && now - seen.loggedAt < this.intervalMs) {
      seen.unlogged += 1;
      return;
    }
    this.log.warn({ ...fields, ...(seen?.unlogged ? { alsoSinceLastLog: seen.unlogged } : {}) }, message);
    this.kinds.set(kind, { loggedAt: now, unlogged: 0 });
  }
}
