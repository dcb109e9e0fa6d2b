import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseEnv } from '../runtime/config.ts';
import type { Queryable } from '../runtime/resources/db.ts';
import { formatIssues } from '../runtime/schema.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';

/** The configuration documents Flowline reads: one YAML file each, or one row each in PostgreSQL. */
export type ConfigKind =
  | 'assets'
  | 'tag-rules'
  | 'alarm-rules'
  | 'channels'
  | 'well-models'
  | 'well-status-rules'
  | 'production-accounting'
  | 'well-test-rules';

export const ConfigEnv = z.object({
  /** `files` reads `<FLOWLINE_CONFIG_DIR>/<kind>.yaml`; `postgres` reads the `flowline_config` table. */
  FLOWLINE_CONFIG_SOURCE: z.enum(['files', 'postgres']).default('files'),
  FLOWLINE_CONFIG_DIR: z.string().default(join(import.meta.dirname, 'examples')),
  DATABASE_URL: z.string().optional(),
});

export class ConfigDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigDocumentError';
  }
}

/**
 * Loads and validates one configuration document. Files give errors with line
 * numbers; PostgreSQL rows give them with JSON paths. Either way the message says
 * which document and what to fix.
 */
export async function loadConfig<S extends z.ZodType>(
  kind: ConfigKind,
  schema: S,
  options: { db?: Queryable; env?: Record<string, string | undefined> } = {},
): Promise<z.infer<S>> {
  const env = parseEnv(ConfigEnv, options.env ?? process.env);
  if (env.FLOWLINE_CONFIG_SOURCE === 'postgres') {
    if (!options.db)
      throw new ConfigDocumentError(
        `configuration "${kind}" comes from PostgreSQL, but this function has no database: add postgres to its needs`,
      );
    let rows: { document: unknown }[];
    try {
      ({ rows } = await options.db.query<{ document: unknown }>('SELECT document FROM flowline_config WHERE kind = $1', [kind]));
    } catch (error) {
      throw new ConfigDocumentError(
        `reading configuration "${kind}" from the flowline_config table failed (${(error as Error).message}); has persist applied its migrations?`,
      );
    }
    if (rows.length === 0)
      throw new ConfigDocumentError(`no "${kind}" row in flowline_config: store one with \`node config/push.ts ${kind} <file.yaml>\``);
    const result = schema.safeParse(rows[0]?.document);
    if (!result.success) throw new ConfigDocumentError(`flowline_config "${kind}" is not valid: ${formatIssues(result.error.issues)}`);
    return result.data;
  }
  const file = join(env.FLOWLINE_CONFIG_DIR, `${kind}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigDocumentError(
      `${file} not found: set FLOWLINE_CONFIG_DIR to the folder holding ${kind}.yaml (examples ship in config/examples)`,
    );
  }
  return loadYamlConfig(text, file, schema);
}

/** Stores a document in PostgreSQL (validated first), for deployments that keep configuration there. */
export async function saveConfig<S extends z.ZodType>(kind: ConfigKind, schema: S, document: unknown, db: Queryable): Promise<void> {
  const result = schema.safeParse(document);
  if (!result.success) throw new ConfigDocumentError(`"${kind}" is not valid: ${formatIssues(result.error.issues)}`);
  await db.query(
    `INSERT INTO flowline_config (kind, document, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (kind) DO UPDATE SET document = EXCLUDED.document, updated_at = now()`,
    [kind, JSON.stringify(document)],
  );
}
