import { z } from 'zod';
import { AlarmTransition, Severity } from '../contracts/alarm.ts';
import { Identifier } from '../contracts/telemetry.ts';

/** The name of an environment variable holding a secret; the secret itself never goes in this file. */
const SecretEnv = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'name an environment variable such as ACME_SMTP_PASSWORD (the secret itself never goes in this file)');

/** At most `max` notifications per `perSeconds` window; the rest are summarised, never dropped. */
const RateLimit = z
  .object({
    max: z.number().int().min(1),
    perSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

/** How hard one notification is tried (with exponential backoff) before it is recorded as failed. */
const DeliveryRetry = z
  .object({
    attempts: z.number().int().min(1).max(10).default(4),
    initialDelayMs: z.number().int().min(1).default(1_000),
    maxDelayMs: z.number().int().min(1).default(30_000),
  })
  .strict()
  .default({ attempts: 4, initialDelayMs: 1_000, maxDelayMs: 30_000 });

const common = {
  id: Identifier,
  /** The tenant this channel belongs to: only that tenant's alarms reach it, and its failures are listed under that tenant. */
  tenant: Identifier,
  description: z.string().max(200).optional(),
  rateLimit: RateLimit.default({ max: 30, perSeconds: 60 }),
  retry: DeliveryRetry,
};

export const WebhookChannel = z
  .object({
    ...common,
    kind: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
    /** When set, each request carries `x-flowline-signature: sha256=<hex HMAC of "<timestamp>.<body>">`. */
    signingSecretEnv: SecretEnv.optional(),
    /** When set, the variable's value is sent as the `authorization` header (e.g. "Bearer …"). */
    authorizationEnv: SecretEnv.optional(),
    /** Extra headers, not secret ones: credentials go through authorizationEnv. */
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'a header name'), z.string())
      .refine(
        (h) => !Object.keys(h).some((name) => /^(authorization|proxy-authorization|x-api-key|cookie)$/i.test(name)),
        'credentials never go in this file: name an environment variable in authorizationEnv instead',
      )
      .default({}),
  })
  .strict();
export type WebhookChannel = z.infer<typeof WebhookChannel>;

export const EmailChannel = z
  .object({
    ...common,
    kind: z.literal('email'),
    smtp: z
      .object({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).default(587),
        /** `starttls` upgrades a plain connection and refuses to go on without TLS; `tls` is TLS from the first byte (port 465). */
        security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
        user: z.string().min(1).optional(),
        passwordEnv: SecretEnv.optional(),
        /** false only for a private relay with a self-signed certificate. */
        rejectUnauthorized: z.boolean().default(true),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .refine((s) => (s.user === undefined) === (s.passwordEnv === undefined), 'give both user and passwordEnv, or neither'),
    from: z.string().min(3).max(320),
    to: z.array(z.email()).min(1),
    subjectPrefix: z.string().max(40).default('[Flowline]'),
  })
  .strict();
export type EmailChannel = z.infer<typeof EmailChannel>;

export const Channel = z.discriminatedUnion('kind', [WebhookChannel, EmailChannel]);
export type Channel = z.infer<typeof Channel>;

/** Who hears about which alarms: by tenant, optionally field, and severity. */
export const Route = z
  .object({
    tenant: Identifier,
    /** Only alarms of these fields; every field of the tenant when absent. */
    fields: z.array(Identifier).min(1).optional(),
    /** This severity and worse. */
    minSeverity: Severity.default('LOW'),
    /** Which alarm transitions are worth a message. */
    transitions: z.array(AlarmTransition).min(1).default(['raised']),
    channels: z.array(Identifier).min(1),
    /** While a matching alarm stays unacknowledged (UNACK_ACTIVE): after each level's minutes, its channels are told once. */
    escalate: z
      .array(z.object({ afterMinutes: z.number().positive().max(10_080), channels: z.array(Identifier).min(1) }).strict())
      .default([]),
  })
  .strict();
export type Route = z.infer<typeof Route>;

/**
 * The notification channels and routes, read by the notify function: where alarms
 * go (webhook, e-mail), how often, and whom to tell when nobody acknowledges.
 */
export const Channels = z
  .object({
    /** The same alarm and transition reaches a channel at most once in this window (a chattering alarm). */
    dedupWindowSeconds: z.number().int().min(0).max(86_400).default(300),
    /** How often held-back alarms (over a rate limit, or during an alarm flood) are sent as one summary per channel. */
    summaryEverySeconds: z.number().int().min(10).max(86_400).default(300),
    /** Failed deliveries kept per tenant in notify:failures:<tenant>. */
    failuresKept: z.number().int().min(10).max(100_000).default(500),
    channels: z.array(Channel),
    routes: z.array(Route),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const byId = new Map<string, Channel>();
    doc.channels.forEach((c, i) => {
      if (byId.has(c.id)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'id'], message: `duplicate channel id "${c.id}"` });
      byId.set(c.id, c);
    });
    const check = (tenant: string, ids: readonly string[], path: (string | number)[]) => {
      ids.forEach((id, j) => {
        const channel = byId.get(id);
        if (!channel) ctx.addIssue({ code: 'custom', path: [...path, j], message: `no channel "${id}"; declare it under channels` });
        else if (channel.tenant !== tenant)
          ctx.addIssue({
            code: 'custom',
            path: [...path, j],
            message: `channel "${id}" belongs to tenant "${channel.tenant}", not "${tenant}": a route never crosses tenants`,
          });
      });
    };
    doc.routes.forEach((route, i) => {
      check(route.tenant, route.channels, ['routes', i, 'channels']);
      route.escalate.forEach((level, k) => {
        check(route.tenant, level.channels, ['routes', i, 'escalate', k, 'channels']);
        const previous = route.escalate[k - 1];
        if (previous && level.afterMinutes <= previous.afterMinutes)
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'escalate', k, 'afterMinutes'],
            message: `escalation levels go up in time: ${level.afterMinutes} must be above ${previous.afterMinutes}`,
          });
      });
    });
  });
export type Channels = z.infer<typeof Channels>;
