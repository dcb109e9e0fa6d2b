import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, RuntimeEnv } from '../../config.ts';
import { kafkaConnectionFromEnv } from './connection-from-env.ts';

const dir = mkdtempSync(join(tmpdir(), 'flowline-kafka-env-'));
const pem = join(dir, 'any.pem');
writeFileSync(pem, 'placeholder: only its existence is checked here');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const connect = (env: Record<string, string>) => kafkaConnectionFromEnv(parseEnv(RuntimeEnv, env), 'test');

describe('Kafka settings from the environment', () => {
  it('combines TLS, a client certificate and SASL into one connection', () => {
    expect(
      connect({
        KAFKA_BROKERS: 'k1:9093, k2:9093',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: pem,
        KAFKA_SSL_CERT_FILE: pem,
        KAFKA_SSL_KEY_FILE: pem,
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'validate',
        KAFKA_SASL_PASSWORD: 's3cret',
      }),
    ).toEqual({
      brokers: ['k1:9093', 'k2:9093'],
      clientId: 'test',
      ssl: true,
      sslCaFile: pem,
      sslCertFile: pem,
      sslKeyFile: pem,
      sasl: { mechanism: 'scram-sha-512', username: 'validate', password: 's3cret' },
    });
  });

  it('refuses what would be silently ignored, naming each variable', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        connect(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal({ KAFKA_SSL_CA_FILE: pem })).toMatch(/KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not: set KAFKA_SSL=true/);
    expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: pem })).toMatch(
      /KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both/,
    );
    expect(refusal({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nowhere/ca.pem' })).toMatch(
      /KAFKA_SSL_CA_FILE=\/nowhere\/ca\.pem: no such file \(mount the Secret there, or fix the path\)/,
    );
    expect(refusal({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'validate' })).toMatch(
      /KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME are set but KAFKA_SASL_PASSWORD not: SASL needs all three/,
    );
  });

  it('is plaintext without SASL when nothing is set', () => {
    expect(connect({})).toMatchObject({ brokers: ['127.0.0.1:9092'], ssl: false, sasl: undefined });
  });
});
