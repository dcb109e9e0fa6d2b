import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65535);

/**
 * Everything a function process reads from its environment, validated once at start.
 * `memory://` for REDIS_URL or DATABASE_URL means the in-process stand-in, which only
 * the memory host may use (see dependencyUrls).
 */
export const RuntimeEnv = z.object({
  FLOWLINE_HOST: z.enum(['memory', 'kafka', 'dapr']).default('memory'),
  PORT: port.default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z
    .string()
    .regex(/^(rediss?:\/\/|memory:\/\/$)/, 'use redis://host:port, rediss://… for TLS, or memory:// for the in-process stand-in')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?:\/\/|memory:\/\/$|embedded:\/\/)/,
      'use postgres://user:pass@host:port/db, or memory:// for the embedded PostgreSQL',
    )
    .optional(),
  /** Server-side bound on one SQL statement; a hung query fails and is retried instead of holding a batch for ever. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Bound on one Redis command (ioredis commandTimeout): a Redis that accepts but never answers fails the attempt. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SSL: bool.default(false),
  /** PEM file of the CA that signed the brokers' certificates; unset: the system's CAs. */
  KAFKA_SSL_CA_FILE: z.string().optional(),
  /** Client certificate and key (PEM), for a broker that requires mutual TLS; both or neither. */
  KAFKA_SSL_CERT_FILE: z.string().optional(),
  KAFKA_SSL_KEY_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Create missing topics at start (broker defaults). Set false where topics are managed by the platform. */
  KAFKA_CREATE_TOPICS: bool.default(true),
  /** How long the group waits for a silent consumer before handing its partitions to others. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Milliseconds a handler publish may wait to share a produce request with others. */
  KAFKA_PRODUCER_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
  DAPR_HTTP_PORT: port.default(3500),
  DAPR_HOST: z.string().default('127.0.0.1'),
  DAPR_PUBSUB_NAME: z.string().min(1).default('pubsub'),
  DAPR_STATE_STORE: z.string().min(1).default('statestore'),
  /**
   * Service-to-service tokens (caller-auth.ts). FLOWLINE_INVOKE_TOKEN: the gateway's identity
   * on a function's POST /invoke (both sides hold it). APP_API_TOKEN: what the Dapr sidecar
   * sends the app; DAPR_API_TOKEN: what the app sends the sidecar (@dapr/dapr reads it).
   */
  FLOWLINE_INVOKE_TOKEN: z.string().min(16, 'use at least 16 random characters, e.g. openssl rand -base64 24').optional(),
  APP_API_TOKEN: z.string().min(16, 'use at least 16 random characters, e.g. openssl rand -base64 24').optional(),
  DAPR_API_TOKEN: z.string().min(1).optional(),
});
export type RuntimeEnv = z.infer<typeof RuntimeEnv>;

/** Thrown when the environment is wrong; the message names each variable and what it should be. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  // Unset and empty mean the same: "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const got = present[name];
    const secret = /PASSWORD|SECRET|TOKEN|KEY/.test(name);
    return `  ${name}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(secret ? '***' : got)})`}`;
  });
  throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
}

/**
 * The Redis and PostgreSQL URLs the given functions need. The in-process stand-ins
 * (`memory://`) exist only for the memory host: anywhere else a missing URL stops the
 * process with the variable's name, since a stand-in there would, for example, let
 * persist commit offsets for rows that vanish on restart.
 */
export function dependencyUrls(
  env: Pick<RuntimeEnv, 'FLOWLINE_HOST' | 'REDIS_URL' | 'DATABASE_URL'>,
  needs: { redis: readonly string[]; postgres: readonly string[] },
): { redis: string; database: string } {
  if (env.FLOWLINE_HOST === 'memory') return { redis: env.REDIS_URL ?? 'memory://', database: env.DATABASE_URL ?? 'memory://' };
  const problems: string[] = [];
  const check = (name: 'REDIS_URL' | 'DATABASE_URL', users: readonly string[], example: string) => {
    const value = env[name];
    if (users.length === 0) return;
    const who = `${users.join(', ')} ${users.length === 1 ? 'needs' : 'need'} ${name === 'REDIS_URL' ? 'Redis' : 'PostgreSQL'}`;
    if (value === undefined) problems.push(`  ${name} is not set: ${who}; set ${name}=${example}`);
    else if (!/^(rediss?|postgres(ql)?):\/\//.test(value))
      problems.push(`  ${name}=${value} is an in-process stand-in, for FLOWLINE_HOST=memory only: ${who}; set ${name}=${example}`);
  };
  check('REDIS_URL', needs.redis, 'redis://host:6379');
  check('DATABASE_URL', needs.postgres, 'postgres://user:password@host:5432/db');
  if (problems.length > 0) throw new ConfigError(`invalid environment for FLOWLINE_HOST=${env.FLOWLINE_HOST}:\n${problems.join('\n')}`);
  return { redis: env.REDIS_URL ?? 'memory://', database: env.DATABASE_URL ?? 'memory://' };
}
