/** What the reloader did to one function, for the console and for whoever measures the loop. */
export type ReloadNotice =
  | { kind: 'added' | 'reloaded'; name: string; ms: number }
  | { kind: 'removed'; name: string }
  | { kind: 'failed'; name: string; reason: string; previousKeepsRunning: boolean };

/** One short sentence per notice, as `npm run dev` prints it. */
export function describeNotice(notice: ReloadNotice): string {
  switch (notice.kind) {
    case 'added':
      return `added function ${notice.name} in ${notice.ms} ms`;
    case 'reloaded':
      return `reloaded ${notice.name} in ${notice.ms} ms`;
    case 'removed':
      return `removed function ${notice.name}: its folder or function.yaml is gone`;
    case 'failed':
      return notice.previousKeepsRunning
        ? `could not reload ${notice.name}: ${notice.reason}; the previous version keeps running until a fixed file is saved`
        : `could not start ${notice.name}: ${notice.reason}; it starts when a fixed file is saved`;
  }
}
