/**
 * `npm run edge:site -- --config <edge.yaml>`: one pad, alone on one small box. The edge
 * adapter reads the devices and forwards every sample to the central Kafka through its
 * store-and-forward buffer; validate, alarm and notify run here on the memory host, and the
 * operators' console serves the crew, whether or not the WAN link is up (start-site.ts).
 *
 * Environment: PORT (the console, 8080), HOST (0.0.0.0), GATEWAY_USERS_FILE (who may sign
 * in; or --demo-users on a bench), FLOWLINE_CONFIG_DIR (assets, tag and alarm rules,
 * channels), REDIS_URL (a Redis of the pad's, so alarm state survives a restart; default
 * in-process), LOG_LEVEL, FLOWLINE_STATE_DIR and the secrets the files name.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadEdgeConfig, type ResolvedEdgeConfig } from '../edge-adapter/config/load-edge-config.ts';
import { runEdgeProcess } from '../edge-adapter/ops/edge-process.ts';
import { type UserEntry, UsersFile } from '../gateway/auth/users.ts';
import { readEmbeddedEnv } from '../local-dev/embedded-env.ts';
import { ConfigError, parseEnv } from '../runtime/config.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { loadYamlConfig } from '../runtime/yaml-config.ts';
import { startSite } from './start-site.ts';

const usage = 'usage: npm run edge:site -- --config <edge.yaml> [--demo-users]   (see edge-adapter/README.md, "Running a site alone")';

const SiteEnv = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_USERS_FILE: z.string().optional(),
});

function settings(): { config: ResolvedEdgeConfig; host: string; users: UserEntry[] | undefined } {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, 'demo-users': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!values.config) throw new ConfigError(`--config is required\n${usage}`);
  const env = parseEnv(SiteEnv);
  const config = loadEdgeConfig(values.config);
  if (!config.kafka) {
    throw new ConfigError(
      `${values.config}: kafka: missing; a site forwards every sample to the central cluster, so name its brokers (kafka: { brokers: [host:9092] })`,
    );
  }
  if (env.GATEWAY_USERS_FILE) {
    const file = env.GATEWAY_USERS_FILE;
    return { config, host: env.HOST, users: loadYamlConfig(readFileSync(file, 'utf8'), file, UsersFile).users };
  }
  if (!values['demo-users']) {
    throw new ConfigError(
      'GATEWAY_USERS_FILE: not set; the pad\'s console signs the crew in from a users file (YAML "users:" with scrypt hashes from node gateway/hash-password.ts). On a bench, --demo-users signs in the demo users instead (password = user name)',
    );
  }
  return { config, host: env.HOST, users: undefined };
}

assertNodeVersion();
const { env, rates } = readEmbeddedEnv();
await runEdgeProcess({
  service: 'edge-site',
  settings,
  logLevel: () => env.LOG_LEVEL,
  start: async (loaded, log) => {
    const { config } = loaded;
    const site = await startSite({ config, env, rates, log, hostname: loaded.host, ...(loaded.users ? { users: loaded.users } : {}) });
    log.info(
      {
        console: `http://${loaded.host}:${site.console.port}/`,
        edgeHealth: `http://${config.http.host}:${site.edge.opsPort}/healthz`,
        upstream: config.kafka?.brokers,
        demoUsers: site.console.demoUsers.map((u) => u.username),
      },
      'edge site running: the console serves the pad whether or not the link upstream is up',
    );
    return site;
  },
});
