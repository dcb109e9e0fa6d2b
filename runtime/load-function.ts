import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FunctionDefinition, isFunctionDefinition } from './define-function.ts';
import { FunctionManifest } from './manifest.ts';
import { loadYamlConfig } from './yaml-config.ts';

export interface LoadedFunction {
  dir: string;
  manifest: FunctionManifest;
  definition: FunctionDefinition;
}

/** Reads `function.yaml` alone: what the tooling (chart, KEDA) needs, without running code. */
export async function loadManifest(dir: string): Promise<FunctionManifest> {
  const file = join(dir, 'function.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: every function folder needs a function.yaml (copy one from functions/validate)`);
  }
  const manifest = loadYamlConfig(text, file, FunctionManifest);
  if (manifest.name !== basename(resolve(dir))) {
    throw new Error(`${file}: name "${manifest.name}" must match its folder "${basename(resolve(dir))}"`);
  }
  return manifest;
}

/**
 * The query parameter that asks for a fresh instance of a function's modules. ESM caches a
 * module per URL for the life of the process, so a reload imports `handler.ts?<param>=<n>`;
 * the dev loader's resolve hook (local-dev/reload-hooks.ts) passes it on to the modules
 * the handler imports from its own folder.
 */
export const reloadVersionParam = 'flowline-reload';

/**
 * A function folder: its manifest and the definition `handler.ts` exports by default.
 * With `version`, handler.ts is imported as a new module instance (see reloadVersionParam).
 */
export async function loadFunction(dir: string, options: { version?: number } = {}): Promise<LoadedFunction> {
  const manifest = await loadManifest(dir);
  const file = join(dir, 'handler.ts');
  const url = pathToFileURL(resolve(file));
  if (options.version !== undefined) url.searchParams.set(reloadVersionParam, String(options.version));
  const module = (await import(url.href)) as { default?: unknown };
  if (!isFunctionDefinition(module.default)) {
    throw new Error(`${file} must \`export default defineFunction(...)\` (or defineBatchFunction)`);
  }
  return { dir, manifest, definition: module.default };
}
