import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';

/** Sparkplug ids (group, edge node, device, host) are UTF-8 strings without the topic's own characters. */
export const SparkplugId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^+/#\s]+$/, 'a Sparkplug id: no spaces and none of + / # (they are topic separators and wildcards)');

const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. MQTT_PASSWORD');

const Tls = z
  .object({
    caFile: z.string().min(1).optional().describe('PEM CA bundle the broker certificate must chain to; default: the system CAs'),
    certFile: z.string().min(1).optional().describe('client certificate (PEM), for brokers that authenticate clients by certificate'),
    keyFile: z.string().min(1).optional(),
    /** Off only on a test bench: a broker certificate that does not verify is refused. */
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().min(1).optional().describe('the name to verify (SNI), when the URL holds an address'),
  })
  .strict()
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
    message: 'certFile and keyFile go together',
    path: ['keyFile'],
  });

/**
 * One MQTT broker connection, shared by every `mqtt` and `sparkplug` device that names it
 * (one TCP connection, one client id, one session). With `sparkplug` it is also the
 * Sparkplug Host Application: it publishes its STATE and leaves a will saying it is offline.
 */
export const MqttConnection = z
  .object({
    id: Identifier,
    protocol: z.literal('mqtt', { error: 'protocol must be mqtt (the only kind of shared connection)' }),
    url: z
      .string()
      .regex(
        /^(mqtt|mqtts|tcp|tls|ssl|ws|wss):\/\/[^/\s:]+(:\d{1,5})?\/?\S*$/,
        'use mqtt://host:1883 or mqtts://host:8883 (ws:// and wss:// too)',
      ),
    /** 4 is MQTT 3.1.1, 5 is MQTT 5; Sparkplug B works over both. */
    protocolVersion: z.union([z.literal(4), z.literal(5)]).default(4),
    clientId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .optional()
      .describe('default flowline-edge-<site>-<id>; keep it stable: a persistent session is found by it'),
    /**
     * false (the default for plain MQTT): a persistent session, so QoS 1/2 messages the broker
     * holds while the adapter is away are delivered when it comes back. A Sparkplug host must
     * connect clean (Sparkplug 3.0): births are not queued, it asks for rebirths instead.
     */
    clean: z.boolean().optional(),
    /** MQTT 5 only: how long the broker keeps a persistent session after a disconnect. */
    sessionExpirySeconds: z.number().int().min(0).max(4_294_967_295).default(86_400),
    keepaliveSeconds: z.number().int().min(1).max(65_535).default(30),
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    username: z.string().min(1).optional(),
    /** A literal password (test benches only) or the environment variable that holds it. */
    password: z.string().optional(),
    passwordEnv: EnvName.optional(),
    tls: Tls.optional(),
    reconnect: z
      .object({
        initialDelayMs: z.number().int().min(100).max(60_000).default(1000),
        maxDelayMs: z.number().int().min(100).max(600_000).default(30_000),
      })
      .strict()
      .default({ initialDelayMs: 1000, maxDelayMs: 30_000 }),
    sparkplug: z
      .object({
        hostId: SparkplugId.describe('this adapter as a Sparkplug Host Application: spBv1.0/STATE/<hostId>'),
        /** How often at most a rebirth is asked of one edge node (a node that keeps skipping seq must not be flooded). */
        rebirthMinIntervalMs: z.number().int().min(0).max(3_600_000).default(5_000),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.password !== undefined && c.passwordEnv !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordEnv'],
        message: 'give one of password or passwordEnv (prefer passwordEnv: secrets do not belong in config files)',
      });
    }
    if ((c.password !== undefined || c.passwordEnv !== undefined) && c.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'a password goes with a username' });
    }
    const secure = /^(mqtts|tls|ssl|wss):/.test(c.url);
    if (c.tls && !secure) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'tls settings need a TLS URL: mqtts://host:8883 (or wss://)' });
    }
    if (c.sparkplug && c.clean === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['clean'],
        message:
          'a Sparkplug host connects with a clean session (Sparkplug 3.0); put plain MQTT devices that need a persistent session on a connection of their own',
      });
    }
  })
  .transform((c) => ({ ...c, clean: c.clean ?? c.sparkplug !== undefined }));
export type MqttConnection = z.infer<typeof MqttConnection>;
