import { ConfigEnv } from '../../config/load.ts';
import { parseEnv } from '../../runtime/config.ts';

/**
 * Where the gateway, like the functions, reads the configuration documents: YAML files
 * in a folder (the embedded default, a ConfigMap) or the `flowline_config` table.
 */
export type ConfigSource = { kind: 'files'; dir: string } | { kind: 'postgres' };

/** FLOWLINE_CONFIG_SOURCE and FLOWLINE_CONFIG_DIR, as config/load.ts reads them. */
export function configSourceOf(env: Record<string, string | undefined>): ConfigSource {
  const parsed = parseEnv(ConfigEnv, env);
  return parsed.FLOWLINE_CONFIG_SOURCE === 'postgres' ? { kind: 'postgres' } : { kind: 'files', dir: parsed.FLOWLINE_CONFIG_DIR };
}

/** The environment config/load.ts reads, for a source: loadConfig then reads exactly there. */
export function loaderEnvOf(source: ConfigSource): Record<string, string> {
  return source.kind === 'postgres'
    ? { FLOWLINE_CONFIG_SOURCE: 'postgres' }
    : { FLOWLINE_CONFIG_SOURCE: 'files', FLOWLINE_CONFIG_DIR: source.dir };
}
