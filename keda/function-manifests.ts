import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest } from '../runtime/load-function.ts';
import type { FunctionManifest } from '../runtime/manifest.ts';

/**
 * Every function under `functionsDir`, read from its `function.yaml` alone (no handler
 * code runs), sorted by name so derived files do not change order between machines.
 * A folder without a `function.yaml` is not a function yet (someone is still writing
 * it, or it holds shared fixtures); a folder with an invalid one is an error, with the
 * file and line, because deploying around it would silently drop a function.
 */
export async function loadFunctionManifests(functionsDir: string): Promise<FunctionManifest[]> {
  if (!existsSync(functionsDir)) return [];
  const entries = await readdir(functionsDir, { withFileTypes: true });
  const dirs = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !e.name.startsWith('_'))
    .map((e) => join(functionsDir, e.name))
    .filter((dir) => existsSync(join(dir, 'function.yaml')));
  const manifests = await Promise.all(dirs.map((dir) => loadManifest(dir)));
  return manifests.sort((a, b) => a.name.localeCompare(b.name));
}
