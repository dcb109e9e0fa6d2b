import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { z } from 'zod';
import { configSchemas as schemas } from '../config/kinds.ts';
import { type ConfigKind, loadConfig, saveConfig } from '../config/load.ts';
import { openDb } from '../runtime/resources/db.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';

/** Validates every configuration document of a folder; one line per document. */
export async function checkConfig(dir = join(import.meta.dirname, '..', 'config', 'examples')): Promise<string> {
  const lines: string[] = [];
  let failed = false;
  for (const [kind, schema] of Object.entries(schemas) as [ConfigKind, z.ZodType][]) {
    try {
      await loadConfig(kind, schema, { env: { FLOWLINE_CONFIG_DIR: dir } });
      lines.push(`ok       ${kind}`);
    } catch (error) {
      failed = true;
      lines.push(`invalid  ${kind}\n${(error as Error).message}`);
    }
  }
  if (failed) throw new Error(lines.join('\n'));
  return lines.join('\n');
}

/** Validates a YAML document and stores it as the `kind` row of flowline_config. */
export async function pushConfig(kind: string, file: string): Promise<void> {
  if (!(kind in schemas)) throw new Error(`unknown kind "${kind}": one of ${Object.keys(schemas).join(', ')}`);
  const schema = schemas[kind as ConfigKind];
  const text = await readFile(file, 'utf8');
  loadYamlConfig(text, file, schema); // line-numbered errors before anything is stored
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to the PostgreSQL that persist migrated');
  const db = await openDb(url, { applicationName: 'flowline-cli', poolSize: 1 });
  try {
    await saveConfig(kind as ConfigKind, schema, load(text), db);
  } finally {
    await db.close();
  }
}
