import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { generate } from '../../keda/generate.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';

/**
 * A copy of the repository's chart and function manifests under `root`, with `added`
 * functions (name → manifest) and the derived files regenerated: what `flowline new
 * function` and `npm run generate` do, without touching the checkout. Returns the chart folder.
 */
export async function chartWithFunctions(root: string, added: Record<string, Record<string, unknown>>): Promise<string> {
  const chartDir = join(root, 'charts', 'flowline');
  cpSync(join(repoRoot, 'charts', 'flowline'), chartDir, { recursive: true });
  for (const name of readdirSync(join(repoRoot, 'functions'))) {
    const manifest = join(repoRoot, 'functions', name, 'function.yaml');
    if (!existsSync(manifest)) continue;
    mkdirSync(join(root, 'functions', name), { recursive: true });
    cpSync(manifest, join(root, 'functions', name, 'function.yaml'));
  }
  for (const [name, manifest] of Object.entries(added)) {
    mkdirSync(join(root, 'functions', name), { recursive: true });
    writeFileSync(join(root, 'functions', name, 'function.yaml'), dump({ name, ...manifest }));
  }
  await generate(root);
  return chartDir;
}
