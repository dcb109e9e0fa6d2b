import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The function folders under `functionsDir`, by name: every folder except those whose name
 * starts with "_" or "." (drafts, editor and tool folders).
 */
export function functionFolderNames(functionsDir: string): string[] {
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isFunctionFolderName(d.name))
    .map((d) => d.name)
    .sort();
}

export function isFunctionFolderName(name: string): boolean {
  return name.length > 0 && !name.startsWith('_') && !name.startsWith('.');
}

/** A folder is a function once it has its manifest; until then (being created, or emptied) it is not. */
export function hasManifest(functionsDir: string, name: string): boolean {
  return existsSync(join(functionsDir, name, 'function.yaml'));
}
