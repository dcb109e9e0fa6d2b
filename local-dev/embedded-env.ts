import { RateLimitSettings } from '../gateway/settings.ts';
import { ConfigError, parseEnv, RuntimeEnv } from '../runtime/config.ts';

export interface EmbeddedEnv {
  env: RuntimeEnv;
  rates: RateLimitSettings;
}

/**
 * The environment of the embedded stack (`npm start`, `npm run dev`), validated once at the
 * edge of the process: always the memory host, port 8080 unless PORT says otherwise. A wrong
 * variable ends the process (exit 2) with the message that names it.
 */
export function readEmbeddedEnv(): EmbeddedEnv {
  try {
    return {
      env: parseEnv(RuntimeEnv, { PORT: '8080', ...process.env, FLOWLINE_HOST: 'memory' }),
      rates: parseEnv(RateLimitSettings),
    };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
