import { existsSync } from 'node:fs';
import { ConfigError, type RuntimeEnv } from '../../config.ts';
import type { KafkaConnection } from './client.ts';

/** The variables every Kafka client of Flowline reads: functions, gateway, `flowline lag` and the CLI. */
export const kafkaEnvKeys = {
  KAFKA_BROKERS: true,
  KAFKA_SSL: true,
  KAFKA_SSL_CA_FILE: true,
  KAFKA_SSL_CERT_FILE: true,
  KAFKA_SSL_KEY_FILE: true,
  KAFKA_SASL_MECHANISM: true,
  KAFKA_SASL_USERNAME: true,
  KAFKA_SASL_PASSWORD: true,
} as const;
export type KafkaEnv = Pick<RuntimeEnv, keyof typeof kafkaEnvKeys>;

/**
 * The one mapping from KAFKA_* to client options. Settings that would be silently ignored
 * (a CA file without KAFKA_SSL, a SASL mechanism without its password, half a client
 * certificate) are refused here, with the variable to fix, instead of becoming a
 * connection that fails later for a reason nobody can see.
 */
export function kafkaConnectionFromEnv(env: KafkaEnv, clientId: string): KafkaConnection {
  const problems = kafkaEnvProblems(env);
  if (problems.length > 0) throw new ConfigError(`invalid environment:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = env;
  return {
    brokers: env.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    clientId,
    ssl: env.KAFKA_SSL,
    sslCaFile: env.KAFKA_SSL_CA_FILE,
    sslCertFile: env.KAFKA_SSL_CERT_FILE,
    sslKeyFile: env.KAFKA_SSL_KEY_FILE,
    sasl: mechanism && username && password ? { mechanism, username, password } : undefined,
  };
}

export function kafkaEnvProblems(env: KafkaEnv): string[] {
  const problems: string[] = [];
  const files = (['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const).filter((name) => env[name] !== undefined);
  if (!env.KAFKA_SSL && files.length > 0)
    problems.push(
      `${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} set but KAFKA_SSL is not: set KAFKA_SSL=true (they are used over TLS only)`,
    );
  for (const name of files) {
    const file = env[name] as string;
    if (!existsSync(file)) problems.push(`${name}=${file}: no such file (mount the Secret there, or fix the path)`);
  }
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined))
    problems.push(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both (the client certificate and its private key) or neither',
    );
  const sasl = (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((name) => env[name] !== undefined);
  if (sasl.length > 0 && sasl.length < 3) {
    const missing = (['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((n) => !sasl.includes(n));
    problems.push(`${sasl.join(', ')} ${sasl.length === 1 ? 'is' : 'are'} set but ${missing.join(' and ')} not: SASL needs all three`);
  }
  return problems;
}
