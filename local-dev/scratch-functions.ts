import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './services/paths.ts';

export interface ScratchFunctions {
  /** A stand-in for the repository root: `newFunction(root, …)` writes under root/functions. */
  root: string;
  functionsDir: string;
  remove(): void;
}

/**
 * An empty functions folder of its own, for a test or bench that writes, edits and deletes
 * functions without touching functions/. It lies inside this package (.flowline/ is
 * git-ignored; not FLOWLINE_STATE_DIR, which may be elsewhere) because a function's
 * `#runtime` and `#contracts` imports resolve only inside the package that declares them.
 */
export function makeScratchFunctions(label: string): ScratchFunctions {
  const parent = join(repoRoot, '.flowline', 'scratch');
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, `${label}-`));
  const functionsDir = join(root, 'functions');
  mkdirSync(functionsDir);
  return { root, functionsDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
