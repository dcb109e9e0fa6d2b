import { z } from 'zod';
import { Identifier } from '../../contracts/telemetry.ts';
import { ModbusDevice } from './modbus-device.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { MqttDevice } from './mqtt-device.ts';
import { OpcUaDevice } from './opcua-device.ts';
import { reportRepeats } from './repeated-values.ts';
import { SparkplugDevice } from './sparkplug-device.ts';
import { WriterRoles } from './writable.ts';

export const Device = z.discriminatedUnion('protocol', [ModbusDevice, OpcUaDevice, MqttDevice, SparkplugDevice], {
  error: (issue) => (issue.code === 'invalid_union' ? 'protocol must be modbus, opcua, mqtt or sparkplug' : undefined),
});
export type Device = z.infer<typeof Device>;
export type DeviceProtocol = Device['protocol'];

const TopicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, . _ - (at most 249)');

const Kafka = z
  .object({
    brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'use host:port')).min(1),
    clientId: z.string().min(1).optional().describe('default flowline-edge-<site>'),
    /** gzip is built into kafkajs; snappy, lz4 and zstd would need codec packages it does not bundle. */
    compression: z.enum(['none', 'gzip']).default('gzip'),
    ssl: z
      .object({
        caFile: z.string().optional(),
        certFile: z.string().optional().describe('client certificate, for brokers that require mutual TLS'),
        keyFile: z.string().optional(),
      })
      .strict()
      .refine((s) => (s.certFile === undefined) === (s.keyFile === undefined), {
        message: 'certFile and keyFile go together',
        path: ['keyFile'],
      })
      .optional(),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string().min(1),
        passwordEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. KAFKA_PASSWORD'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const EdgeConfig = z
  .object({
    site: Identifier.describe('this well pad; commands for other sites are ignored'),
    /** Where the buffer and the OPC UA PKI live. Default: $FLOWLINE_STATE_DIR, else .flowline in the working directory. */
    stateDir: z.string().min(1).optional(),
    http: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 9464 }),
    kafka: Kafka.optional(),
    topics: z
      .object({
        telemetry: TopicName.default('scada.telemetry.raw'),
        compacted: TopicName.default('scada.telemetry.compacted'),
        commands: TopicName.default('scada.commands'),
        commandResults: TopicName.default('scada.commands.results'),
        audit: TopicName.default('system.audit-log'),
      })
      .strict()
      .default({
        telemetry: 'scada.telemetry.raw',
        compacted: 'scada.telemetry.compacted',
        commands: 'scada.commands',
        commandResults: 'scada.commands.results',
        audit: 'system.audit-log',
      }),
    publish: z
      .object({
        /** Samples per produce request. */
        maxBatch: z.number().int().min(1).max(50_000).default(2000),
        /** How long a sample may wait for others to share its request. */
        lingerMs: z.number().int().min(0).max(5000).default(20),
      })
      .strict()
      .default({ maxBatch: 2000, lingerMs: 20 }),
    buffer: z
      .object({
        path: z.string().min(1).optional().describe('default <stateDir>/edge/<site>/buffer.sqlite'),
        /** The bound: samples kept while the link is down, about 30 bytes each on disk (10 million ≈ 300 MB). */
        maxSamples: z.number().int().min(1000).max(500_000_000).default(10_000_000),
        /**
         * compact: the oldest samples become one rollup per tag and minute, so an outage of any length
         * keeps every minute; drop-oldest keeps the most recent samples; drop-newest the start of the outage.
         */
        whenFull: z.enum(['compact', 'drop-oldest', 'drop-newest']).default('compact'),
        /** With compact: the second bound, in compacted tag-minutes (about 83 bytes each); past it the oldest are dropped, counted. */
        maxMinutes: z.number().int().min(1000).max(2_000_000_000).default(10_000_000),
        /** full: a sample survives a power cut once read; normal: it survives an adapter crash (faster on slow disks). */
        sync: z.enum(['full', 'normal']).default('full'),
        /**
         * Values, compacted figures, command results and audit records sealed on disk (AES-256-GCM)
         * with a 32-byte key (base64 or hex) from a file or an environment variable: a pad's box that
         * walks away does not take the field's data with it.
         */
        encryption: z
          .union([
            z.object({ keyFile: z.string().min(1) }).strict(),
            z.object({ keyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. EDGE_BUFFER_KEY') }).strict(),
          ])
          .optional()
          .describe('{ keyFile: path } or { keyEnv: NAME }'),
      })
      .strict()
      .default({ maxSamples: 10_000_000, whenFull: 'compact', maxMinutes: 10_000_000, sync: 'full' }),
    commands: z
      .object({
        enabled: z.boolean().default(true),
        /** Roles that may write a writable tag that names no roles of its own. */
        roles: WriterRoles.default(['operator', 'supervisor', 'admin']),
        /** A command older than this is refused: a setpoint queued during an outage is stale by the time it arrives. */
        maxAgeSeconds: z.number().int().min(1).max(86_400).default(60),
        consumerGroup: z.string().min(1).optional().describe('default flowline-edge-<site>'),
      })
      .strict()
      .default({ enabled: true, roles: ['operator', 'supervisor', 'admin'], maxAgeSeconds: 60 }),
    /** Broker connections that mqtt and sparkplug devices share. */
    connections: z.array(MqttConnection).default([]),
    devices: z.array(Device).min(1, 'configure at least one device'),
  })
  .strict()
  .superRefine((config, ctx) => {
    reportRepeats(
      ctx,
      config.devices,
      { listPath: 'devices', field: 'id' },
      (d) => d.id,
      (id, first) => `duplicate device id ${id} (first at devices.${first})`,
    );
    checkConnections(config, ctx);
  });
export type EdgeConfig = z.infer<typeof EdgeConfig>;

/** Every mqtt/sparkplug device names a connection that exists and suits it; no two devices read the same Sparkplug source. */
function checkConnections(config: { connections: MqttConnection[]; devices: Device[] }, ctx: z.RefinementCtx): void {
  reportRepeats(
    ctx,
    config.connections,
    { listPath: 'connections', field: 'id' },
    (c) => c.id,
    (id, first) => `duplicate connection id ${id} (first at connections.${first})`,
  );
  const connections = new Map<string, number>();
  config.connections.forEach((c, index) => {
    if (!connections.has(c.id)) connections.set(c.id, index);
  });
  const sources = new Map<string, number>();
  config.devices.forEach((device, index) => {
    if (device.protocol !== 'mqtt' && device.protocol !== 'sparkplug') return;
    const at = connections.get(device.connection);
    const connection = at === undefined ? undefined : config.connections[at];
    if (!connection) {
      const known = [...connections.keys()];
      ctx.addIssue({
        code: 'custom',
        path: ['devices', index, 'connection'],
        message: `no connection ${device.connection}: ${known.length > 0 ? `use one of ${known.join(', ')}` : 'add it under connections (id, protocol: mqtt, url)'}`,
      });
      return;
    }
    if (device.protocol !== 'sparkplug') return;
    if (!connection.sparkplug) {
      ctx.addIssue({
        code: 'custom',
        path: ['devices', index, 'connection'],
        message: `connection ${connection.id} is not a Sparkplug host: give it sparkplug: { hostId: <this adapter's host id> }`,
      });
    }
    const source = [device.connection, device.groupId, device.edgeNodeId, device.deviceId ?? ''].join('/');
    if (sources.has(source)) {
      ctx.addIssue({
        code: 'custom',
        path: ['devices', index, 'deviceId'],
        message: `devices.${sources.get(source)} already reads ${device.groupId}/${device.edgeNodeId}${device.deviceId ? `/${device.deviceId}` : ''}: list all its tags there`,
      });
    } else sources.set(source, index);
  });
}
