import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { functionScratchDir, repoRoot } from '../../local-dev/services/paths.ts';
import type { FunctionManifestInput } from '../../runtime/manifest.ts';

/**
 * Writes a function folder for one test: the given manifest, and the handler of a
 * fixture under tests/fixtures/functions/. It lives inside the repository so that
 * `#runtime` resolves as it does for real functions.
 */
export function fixtureFunction(fixture: string, manifest: FunctionManifestInput & { name: string }): string {
  const dir = join(functionScratchDir, manifest.name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(repoRoot, 'tests', 'fixtures', 'functions', fixture, 'handler.ts'), join(dir, 'handler.ts'));
  writeFileSync(join(dir, 'function.yaml'), dump(manifest));
  return dir;
}
