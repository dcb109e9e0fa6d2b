import { z } from 'zod';
import { Role } from '#contracts';
import { RuntimeEnv } from '../runtime/config.ts';
import { defaultOptions } from './deps.ts';
import type { RateLimits } from './rate-limit/rate-limiter.ts';

const list = (what: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .describe(what);

const perMinute = z.coerce.number().int().min(1).max(1_000_000);
const rates = defaultOptions.rateLimits;

/**
 * Request budgets per subject and minute: gateway/main.ts and `npm start` read the same
 * variables (a load test or the HTTP fuzz case raises them; nothing in code bypasses them).
 */
export const RateLimitSettings = z.object({
  GATEWAY_RATE_READ_PER_MINUTE: perMinute.default(rates.read),
  GATEWAY_RATE_WRITE_PER_MINUTE: perMinute.default(rates.write),
  GATEWAY_RATE_INGEST_PER_MINUTE: perMinute.default(rates.ingest),
  GATEWAY_RATE_SIGN_IN_PER_MINUTE: perMinute.default(rates.signIn),
});
export type RateLimitSettings = z.infer<typeof RateLimitSettings>;

export const rateLimitsOf = (settings: RateLimitSettings): RateLimits => ({
  read: settings.GATEWAY_RATE_READ_PER_MINUTE,
  write: settings.GATEWAY_RATE_WRITE_PER_MINUTE,
  ingest: settings.GATEWAY_RATE_INGEST_PER_MINUTE,
  signIn: settings.GATEWAY_RATE_SIGN_IN_PER_MINUTE,
  windowMs: rates.windowMs,
});

/**
 * The gateway's environment (gateway/main.ts), validated at start: the runtime's
 * connection variables (REDIS_URL, DATABASE_URL, KAFKA_*, DAPR_*) and GATEWAY_*.
 */
export const GatewaySettings = RuntimeEnv.extend({
  /** How the gateway reaches the functions: kafka (their Services, the Kafka broker) or dapr (the sidecar). */
  FLOWLINE_HOST: z
    .enum(['kafka', 'dapr'], { message: 'the gateway runs with FLOWLINE_HOST=kafka or dapr (npm start embeds it on the memory host)' })
    .default('kafka'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'use postgres://user:pass@host:port/db (history and alarm history live there)'),
  // No in-process stand-in outside `npm start`: sessions, rate limits and live rooms live in Redis.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'use redis://host:port or rediss://… for TLS (sessions, rate limits and live rooms live there)'),
  // Its length is checked by secretProblems: parseEnv would echo a wrong value, and this one is a secret.
  GATEWAY_JWT_SECRET: z.string().optional(),
  GATEWAY_JWKS_URL: z
    .url({ message: 'the identity provider’s JWKS URL, e.g. https://id.example.com/realms/plant/protocol/openid-connect/certs' })
    .optional(),
  GATEWAY_JWT_ISSUER: z.string().optional(),
  GATEWAY_JWT_AUDIENCE: z.string().optional(),
  GATEWAY_JWT_ROLE_CLAIM: z.string().default('role'),
  GATEWAY_JWT_TENANT_CLAIM: z.string().default('tenant'),
  GATEWAY_JWT_NAME_CLAIM: z.string().default('name'),
  /** How long a sign-in lasts (its refresh tokens die with it): a shift, by default. */
  GATEWAY_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(7 * 86_400)
    .default(12 * 3600),
  /** How long one access token lasts: the console refreshes it silently before then. */
  GATEWAY_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** How long a replica trusts its last look at a session in Redis: the most a revoked session's token still works. */
  GATEWAY_SESSION_CHECK_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** YAML `users:` with scrypt hashes (node gateway/hash-password.ts): password sign-in, HS256 tokens. */
  GATEWAY_USERS_FILE: z.string().optional(),
  /** YAML `keys:` with SHA-256 digests (node gateway/new-api-key.ts): machines' credentials. */
  GATEWAY_API_KEYS_FILE: z.string().optional(),
  GATEWAY_CORS_ORIGINS: list('origins allowed to call the API from a browser').default([]),
  ...RateLimitSettings.shape,
  GATEWAY_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
  GATEWAY_BULK_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** `topic=role|role;topic=role`: topics open to POST /v1/events/{topic}. Default: telemetry (admin, scada), well tests (people and scada). */
  GATEWAY_PUBLISH_TOPICS: z
    .string()
    .transform((s, ctx) => {
      const entries = s.split(';').map((part) => part.split('=').map((x) => x.trim()));
      const topics: Record<string, Role[]> = {};
      for (const [topic, roles] of entries) {
        const parsed = z.array(Role).safeParse((roles ?? '').split('|').filter(Boolean));
        if (!topic || !parsed.success || parsed.data.length === 0) {
          ctx.addIssue({
            code: 'custom',
            message: 'use topic=role|role;topic=role, e.g. well-testing.test-completed=operator|supervisor|admin',
          });
          return z.NEVER;
        }
        topics[topic] = parsed.data;
      }
      return topics;
    })
    .optional(),
  /**
   * Kafka host: each function's invoke endpoint, {name} being the function. The chart gives
   * each function a Service of its name on port 8080; a process running several functions
   * serves /invoke/{name}.
   */
  GATEWAY_FUNCTION_URL: z
    .string()
    .includes('{name}', { message: 'a URL template with {name}, e.g. http://{name}:8080/invoke' })
    .default('http://{name}:8080/invoke'),
  GATEWAY_INVOKE_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  /** `tenant/site=url,…`: edge adapters whose /healthz the status page shows to that tenant's operators. */
  GATEWAY_EDGE_ADAPTERS: z
    .string()
    .transform((s, ctx) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((entry) => {
          const match = /^([^/=]+)\/([^=]+)=(https?:\/\/.+)$/.exec(entry);
          if (!match) {
            ctx.addIssue({ code: 'custom', message: `"${entry}": use tenant/site=http://host:port` });
            return { tenantId: '', site: '', url: '' };
          }
          return { tenantId: match[1] as string, site: match[2] as string, url: match[3] as string };
        }),
    )
    .default([]),
  /** Prometheus, for throughput and errors summed over every replica; without it those columns stay blank. */
  GATEWAY_PROMETHEUS_URL: z.url().optional(),
  /** Where the function manifests are (the image ships functions/). */
  FLOWLINE_FUNCTIONS_DIR: z.string().optional(),
  /**
   * The gateway's Kafka consumer group (it reads scada.commands.results): its replicas share
   * it. Give each Flowline release on a shared Kafka its own.
   */
  GATEWAY_KAFKA_GROUP: z.string().min(1).max(200).default('flowline-gateway'),
  GATEWAY_MAX_LIVE_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(2_000),
});
export type GatewaySettings = z.infer<typeof GatewaySettings>;

/**
 * What is wrong with the secrets and the ways in, without ever printing a secret:
 * an empty list when the gateway can start.
 */
export function startupProblems(settings: GatewaySettings): string[] {
  const problems: string[] = [];
  if (settings.GATEWAY_JWT_SECRET !== undefined && settings.GATEWAY_JWT_SECRET.length < 32)
    problems.push(`GATEWAY_JWT_SECRET: at least 32 characters (256 bits) for HS256 (it has ${settings.GATEWAY_JWT_SECRET.length})`);
  if (!settings.GATEWAY_JWT_SECRET && !settings.GATEWAY_JWKS_URL && !settings.GATEWAY_API_KEYS_FILE)
    problems.push(
      'set GATEWAY_JWKS_URL (your identity provider), GATEWAY_JWT_SECRET, or GATEWAY_API_KEYS_FILE: otherwise no one could sign in',
    );
  if (settings.GATEWAY_USERS_FILE && !settings.GATEWAY_JWT_SECRET)
    problems.push('GATEWAY_USERS_FILE needs GATEWAY_JWT_SECRET: the gateway signs the tokens of the users it signs in');
  return problems;
}
