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
