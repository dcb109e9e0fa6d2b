/**
 * Writes the files derived from functions/<name>/function.yaml and contracts/topic-settings.ts
 * (see generated-files.ts):
 *
 *   node keda/generate.ts           regenerate them
 *   node keda/generate.ts --check   exit 1, listing what is stale, without writing
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { derivedPaths, generatedFiles } from './generated-files.ts';

export interface Drift {
  /** Derived files whose content differs from the manifests', or that are missing. */
  stale: string[];
  /** Rendered ScaledObjects of functions that no longer exist. */
  orphaned: string[];
}

/** What differs between the files on disk and what the manifests imply. */
export async function driftOf(repoRoot: string): Promise<{ drift: Drift; files: Map<string, string> }> {
  const files = await generatedFiles(repoRoot);
  const stale = [...files].filter(([path, content]) => {
    const file = join(repoRoot, path);
    return !existsSync(file) || readFileSync(file, 'utf8') !== content;
  });
  const renderedDir = join(repoRoot, derivedPaths.renderedDir);
  const orphaned = existsSync(renderedDir)
    ? readdirSync(renderedDir)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => `${derivedPaths.renderedDir}/${name}`)
        .filter((path) => !files.has(path))
    : [];
  return { drift: { stale: stale.map(([path]) => path), orphaned }, files };
}

export async function generate(repoRoot: string): Promise<Drift> {
  const { drift, files } = await driftOf(repoRoot);
  for (const path of drift.stale) {
    const file = join(repoRoot, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, files.get(path) ?? '');
  }
  for (const path of drift.orphaned) rmSync(join(repoRoot, path));
  return drift;
}

if (import.meta.main) {
  const repoRoot = resolve(import.meta.dirname, '..');
  const check = process.argv.includes('--check');
  try {
    const drift = check ? (await driftOf(repoRoot)).drift : await generate(repoRoot);
    const changed = [...drift.stale, ...drift.orphaned.map((p) => `${p} (function gone)`)];
    if (check && changed.length > 0) {
      console.error(
        `derived files disagree with functions/*/function.yaml or contracts/topic-settings.ts:\n  ${changed.join('\n  ')}\nrun: node keda/generate.ts`,
      );
      process.exitCode = 1;
    } else {
      console.log(changed.length === 0 ? 'derived files are up to date' : `${check ? 'stale' : 'wrote'}:\n  ${changed.join('\n  ')}`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  }
}
