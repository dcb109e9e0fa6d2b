import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../runtime/config.ts';
import { loadYamlConfig } from '../../runtime/yaml-config.ts';
import { parseBufferKey } from '../store-and-forward/journal-cipher.ts';
import { type Device, EdgeConfig } from './edge-config.ts';
import type { MqttConnection } from './mqtt-connection.ts';

/** The configuration with every path absolute and every secret read from the environment. */
export type ResolvedEdgeConfig = EdgeConfig & {
  stateDir: string;
  buffer: EdgeConfig['buffer'] & { path: string };
  /** The adapter's own OPC UA application certificate and its trust lists. */
  pkiDir: string;
  kafkaSaslPassword?: string | undefined;
  /** buffer.encryption's key, read and checked. */
  bufferKey?: Buffer | undefined;
};

export interface ResolveOptions {
  /** Relative paths in the file are relative to the file's directory. */
  baseDir: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Reads, validates (ConfigFileError with file:line on each problem) and resolves a YAML config file. */
export function loadEdgeConfig(file: string, env: Record<string, string | undefined> = process.env): ResolvedEdgeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the edge adapter configuration ${file}: ${(error as Error).message}`);
  }
  return resolveEdgeConfig(loadYamlConfig(text, file, EdgeConfig), { baseDir: dirname(resolve(file)), env });
}

export function resolveEdgeConfig(config: EdgeConfig, options: ResolveOptions): ResolvedEdgeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const path = (p: string) => (isAbsolute(p) ? p : join(options.baseDir, p));
  const file = (where: string, p: string | undefined) => {
    if (p === undefined) return undefined;
    const absolute = path(p);
    if (!existsSync(absolute)) problems.push(`${where}: ${absolute} does not exist`);
    return absolute;
  };
  const secret = (where: string, name: string) => {
    const value = env[name];
    if (value === undefined || value === '')
      problems.push(`${where}: the environment variable ${name} is not set; export it before starting the adapter`);
    return value;
  };

  const stateDir = config.stateDir ? path(config.stateDir) : resolve(cwd, env.FLOWLINE_STATE_DIR || '.flowline');
  const siteDir = join(stateDir, 'edge', config.site);
  const devices: Device[] = config.devices.map((device, index) => {
    if (device.protocol !== 'opcua') return device;
    const identity = device.identity;
    const where = `devices.${index}.identity`;
    if (identity.type === 'username' && identity.passwordEnv) {
      return { ...device, identity: { ...identity, password: secret(`${where}.passwordEnv`, identity.passwordEnv) } };
    }
    if (identity.type === 'certificate') {
      return {
        ...device,
        identity: {
          ...identity,
          certificateFile: file(`${where}.certificateFile`, identity.certificateFile) ?? identity.certificateFile,
          privateKeyFile: file(`${where}.privateKeyFile`, identity.privateKeyFile) ?? identity.privateKeyFile,
        },
      };
    }
    return device;
  });
  const kafka = config.kafka && {
    ...config.kafka,
    ...(config.kafka.ssl
      ? {
          ssl: {
            caFile: file('kafka.ssl.caFile', config.kafka.ssl.caFile),
            certFile: file('kafka.ssl.certFile', config.kafka.ssl.certFile),
            keyFile: file('kafka.ssl.keyFile', config.kafka.ssl.keyFile),
          },
        }
      : {}),
  };
  const connections: MqttConnection[] = config.connections.map((connection, index) => {
    const where = `connections.${index}`;
    const password = connection.passwordEnv ? secret(`${where}.passwordEnv`, connection.passwordEnv) : connection.password;
    const tls = connection.tls && {
      ...connection.tls,
      caFile: file(`${where}.tls.caFile`, connection.tls.caFile),
      certFile: file(`${where}.tls.certFile`, connection.tls.certFile),
      keyFile: file(`${where}.tls.keyFile`, connection.tls.keyFile),
    };
    return { ...connection, ...(password === undefined ? {} : { password }), ...(tls ? { tls } : {}) };
  });
  const kafkaSaslPassword = config.kafka?.sasl ? secret('kafka.sasl.passwordEnv', config.kafka.sasl.passwordEnv) : undefined;
  const bufferKey = readBufferKey(config.buffer.encryption, { file, secret, problems });
  if (problems.length > 0)
    throw new ConfigError(`the edge adapter configuration is not usable:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    ...config,
    ...(kafka ? { kafka } : {}),
    connections,
    devices,
    stateDir,
    // ':memory:' is SQLite's own name for a buffer that lives and dies with the process.
    buffer: {
      ...config.buffer,
      path: config.buffer.path === ':memory:' ? ':memory:' : config.buffer.path ? path(config.buffer.path) : join(siteDir, 'buffer.sqlite'),
    },
    pkiDir: join(siteDir, 'pki'),
    kafkaSaslPassword,
    bufferKey,
  };
}

function readBufferKey(
  encryption: EdgeConfig['buffer']['encryption'],
  read: {
    file: (where: string, p: string) => string | undefined;
    secret: (where: string, name: string) => string | undefined;
    problems: string[];
  },
): Buffer | undefined {
  if (!encryption) return undefined;
  const where = 'keyFile' in encryption ? 'buffer.encryption.keyFile' : 'buffer.encryption.keyEnv';
  let text: string | undefined;
  if ('keyFile' in encryption) {
    const absolute = read.file(where, encryption.keyFile);
    if (absolute && existsSync(absolute)) text = readFileSync(absolute, 'utf8');
  } else {
    text = read.secret(where, encryption.keyEnv);
  }
  if (text === undefined) return undefined;
  const parsed = parseBufferKey(text);
  if ('problem' in parsed) {
    read.problems.push(`${where}: ${parsed.problem}`);
    return undefined;
  }
  return parsed.key;
}
