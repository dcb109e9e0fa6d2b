import { readFileSync } from 'node:fs';
import { Kafka, type KafkaConfig, logLevel, type RetryOptions, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  ssl?: boolean;
  sslCaFile?: string | undefined;
  /** Client certificate and key, for brokers that require mutual TLS. */
  sslCertFile?: string | undefined;
  sslKeyFile?: string | undefined;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
}

// Errors kafkajs logs at ERROR although it retries them itself, typically while a
// fresh broker elects its group coordinator or creates a topic. Expected, so debug.
const retriedByKafkajs = [
  'coordinator is not available',
  'not the correct coordinator',
  'coordinator is loading',
  'no leader for this topic-partition',
  'leader is not available',
  'does not host this topic-partition',
  'The group is rebalancing',
  'Request is not valid given the current SASL state',
];

/**
 * A kafkajs client whose logs go through pino at sensible levels. `retry` replaces the
 * default bounded retries and `requestTimeoutMs` kafkajs' 30 s (the start-up check makes
 * one short attempt: see access-check.ts).
 */
export function createKafka(
  connection: KafkaConnection,
  log: Logger,
  options: { retry?: RetryOptions; requestTimeoutMs?: number } = {},
): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: connection.clientId,
    brokers: connection.brokers,
    logLevel: logLevel.INFO,
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, timestamp: _ts, logger: _logger, ...extra } = entry;
        const fields = { namespace, ...extra };
        const text = `${message}${typeof extra.error === 'string' ? `: ${extra.error}` : ''}`;
        if (level === logLevel.ERROR || level === logLevel.WARN) {
          const expected = retriedByKafkajs.some((s) => text.includes(s));
          if (expected) kafkaLog.debug(fields, message);
          else if (level === logLevel.ERROR) kafkaLog.error(fields, message);
          else kafkaLog.warn(fields, message);
        } else if (level === logLevel.INFO)
          kafkaLog.debug(fields, message); // kafkajs INFO is chatty
        else kafkaLog.trace(fields, message);
      },
    retry: options.retry ?? { initialRetryTime: 200, retries: 8 },
    ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {}),
  };
  if (connection.ssl) {
    const tls = {
      ...(connection.sslCaFile ? { ca: [readFileSync(connection.sslCaFile, 'utf8')] } : {}),
      ...(connection.sslCertFile ? { cert: readFileSync(connection.sslCertFile, 'utf8') } : {}),
      ...(connection.sslKeyFile ? { key: readFileSync(connection.sslKeyFile, 'utf8') } : {}),
    };
    config.ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (connection.sasl) config.sasl = connection.sasl as SASLOptions;
  return new Kafka(config);
}
