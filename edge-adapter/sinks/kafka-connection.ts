import type { KafkaSettingNames } from '../../runtime/hosts/kafka/access-check.ts';
import type { KafkaConnection } from '../../runtime/hosts/kafka/client.ts';
import type { ResolvedEdgeConfig } from '../config/load-edge-config.ts';

/** The adapter's `kafka:` section as the runtime's Kafka client options. */
export function kafkaConnectionOf(config: ResolvedEdgeConfig): KafkaConnection {
  const kafka = config.kafka;
  if (!kafka) throw new Error('no kafka section in the configuration');
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId ?? `flowline-edge-${config.site}`,
    ssl: kafka.ssl !== undefined,
    sslCaFile: kafka.ssl?.caFile,
    sslCertFile: kafka.ssl?.certFile,
    sslKeyFile: kafka.ssl?.keyFile,
    sasl: kafka.sasl && { mechanism: kafka.sasl.mechanism, username: kafka.sasl.username, password: config.kafkaSaslPassword ?? '' },
  };
}

/** The YAML keys an operator edits at the pad, for the messages of a refused connection. */
export function kafkaSettingNamesOf(config: ResolvedEdgeConfig): KafkaSettingNames {
  const passwordEnv = config.kafka?.sasl?.passwordEnv;
  return {
    brokers: 'kafka.brokers',
    tlsOn: 'a kafka.ssl section',
    tlsOff: 'no kafka.ssl section',
    caFile: 'kafka.ssl.caFile',
    certFile: 'kafka.ssl.certFile',
    keyFile: 'kafka.ssl.keyFile',
    saslMechanism: 'kafka.sasl.mechanism',
    saslUsername: 'kafka.sasl.username',
    saslPassword: passwordEnv ? `the password in ${passwordEnv} (kafka.sasl.passwordEnv)` : 'kafka.sasl.passwordEnv',
  };
}
