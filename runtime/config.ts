import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65535);

/**
 * Everything a function process reads from its environment, validated once at start.
 * `memory://` for REDIS_URL or DATABASE_URL means the in-process stand-in (embedded default).
 */
export const RuntimeEnv = z.object({
  FLOWLINE_HOST: z.enum(['memory', 'kafka', 'dapr']).default('memory'),
  PORT: port.default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z
    .string()
    .regex(/^(rediss?:\/\/|memory:\/\/$)/, 'use redis://host:port, rediss://… for TLS, or memory:// for the in-process stand-in')
    .default('memory://'),
  DATABASE_URL: z
    .string()
    .regex(
      /^(postgres(ql)?:\/\/|memory:\/\/$|embedded:\/\/)/,
      'use postgres://user:pass@host:port/db, or memory:// for the embedded PostgreSQL',
    )
    .default('memory://'),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_SSL: bool.default(false),
  KAFKA_SSL_CA_FILE: z.string().optional(),
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
