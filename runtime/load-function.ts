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

/** A function folder: its manifest and the definition `handler.ts` exports by default. */
export async function loadFunction(dir: string): Promise<LoadedFunction> {
  const manifest = await loadManifest(dir);
  const file = join(dir, 'handler.ts');
  const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  if (!isFunctionDefinition(module.default)) {
    throw new Error(`${file} must \`export default defineFunction(...)\` (or defineBatchFunction)`);
  }
  return { dir, manifest, definition: module.default };
}
