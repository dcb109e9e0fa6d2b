import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';
import { engineeringFields } from './engineering-fields.ts';
import { reportRepeatedTagIds } from './repeated-values.ts';

/** ns=<index>;… or nsu=<uri>;… followed by i= / s= / g= / b= (OPC UA Part 6, 5.3.1.10). */
const NodeIdText = z
  .string()
  .regex(
    /^(ns=\d+;|nsu=[^;]+;)?(i=\d+|s=.+|g=[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|b=[A-Za-z0-9+/=]+)$/,
    'use an OPC UA NodeId such as ns=1;s=Rig.HookLoad, ns=2;i=1001 or nsu=urn:vendor:plc;s=Tank1.Level',
  );

const Deadband = z
  .object({
    type: z.enum(['absolute', 'percent']),
    value: z.number().finite().min(0),
  })
  .strict()
  .refine((d) => d.type !== 'percent' || d.value <= 100, { message: 'a percent deadband is 0–100 (of the EURange)', path: ['value'] });

export const OpcUaTag = z
  .object({
    id: Identifier,
    nodeId: NodeIdText,
    samplingIntervalMs: z.number().int().min(0).max(3_600_000).optional().describe('default: the device samplingIntervalMs'),
    queueSize: z.number().int().min(1).max(10_000).default(10),
    /** Absolute: in the server's units (before scale and offset). Percent: of the node's EURange, which the server must define (AnalogItemType). */
    deadband: Deadband.optional(),
    ...engineeringFields,
  })
  .strict();
export type OpcUaTag = z.infer<typeof OpcUaTag>;

const Identity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('anonymous') }).strict(),
  z
    .object({
      type: z.literal('username'),
      username: z.string().min(1),
      /** A literal password (test benches only) or the environment variable that holds it. */
      password: z.string().optional(),
      passwordEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. RIG_OPCUA_PASSWORD')
        .optional(),
    })
    .strict()
    .refine((i) => (i.password === undefined) !== (i.passwordEnv === undefined), {
      message: 'give exactly one of password or passwordEnv (prefer passwordEnv: secrets do not belong in config files)',
      path: ['passwordEnv'],
    }),
  z
    .object({
      type: z.literal('certificate'),
      certificateFile: z.string().min(1).describe('PEM or DER user certificate'),
      privateKeyFile: z.string().min(1).describe('PEM private key of that certificate'),
    })
    .strict(),
]);
export type OpcUaIdentity = z.infer<typeof Identity>;

export const SecurityPolicyName = z.enum(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']);
export type SecurityPolicyName = z.infer<typeof SecurityPolicyName>;

export const OpcUaDevice = z
  .object({
    id: Identifier,
    protocol: z.literal('opcua'),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^/\s]+(:\d+)?(\/\S*)?$/, 'use opc.tcp://host:port[/path]'),
    securityMode: z.enum(['None', 'Sign', 'SignAndEncrypt']).default('None'),
    securityPolicy: SecurityPolicyName.default('None'),
    identity: Identity.default({ type: 'anonymous' }),
    /**
     * Trust a server certificate the PKI does not know. Off by default: copy the server's
     * certificate into <pki>/trusted/certs instead. Only for test benches.
     */
    acceptUnknownServerCertificate: z.boolean().default(false),
    publishingIntervalMs: z.number().int().min(10).max(3_600_000).default(1000),
    samplingIntervalMs: z.number().int().min(0).max(3_600_000).default(1000),
    reconnect: z
      .object({
        initialDelayMs: z.number().int().min(100).max(60_000).default(1000),
        maxDelayMs: z.number().int().min(100).max(600_000).default(30_000),
      })
      .strict()
      .default({ initialDelayMs: 1000, maxDelayMs: 30_000 }),
    tags: z.array(OpcUaTag).min(1, 'a device needs at least one tag'),
  })
  .strict()
  .superRefine((device, ctx) => {
    if (device.securityMode === 'None' && device.securityPolicy !== 'None') {
      ctx.addIssue({ code: 'custom', path: ['securityPolicy'], message: 'securityMode None goes with securityPolicy None' });
    }
    if (device.securityMode !== 'None' && device.securityPolicy === 'None') {
      ctx.addIssue({
        code: 'custom',
        path: ['securityPolicy'],
        message: `securityMode ${device.securityMode} needs a securityPolicy such as Basic256Sha256`,
      });
    }
    if (device.identity.type === 'certificate' && device.securityMode === 'None') {
      ctx.addIssue({
        code: 'custom',
        path: ['identity'],
        message: 'a certificate identity must be signed: use securityMode Sign or SignAndEncrypt',
      });
    }
    reportRepeatedTagIds(ctx, device.tags);
  });
export type OpcUaDevice = z.infer<typeof OpcUaDevice>;
