/**
 * Real services on loopback for tests and local development:
 *
 *   node local-dev/services.ts up [kafka postgres redis mosquitto daprd kafka-secure] [--with-kubernetes]
 *                                      install once (cached), start, print the URLs
 *   node local-dev/services.ts down    stop what is running
 *
 * --with-kubernetes adds a control plane (etcd, kube-apiserver, kube-controller-manager),
 * KEDA and Dapr's sidecar injector (with its Sentry) on loopback, and prints the KUBECONFIG
 * to use with helm (kubernetes.ts, keda.ts, dapr-injector.ts).
 *
 * kafka-secure (only when named) is a second broker with SSL, SASL_SSL (SCRAM-SHA-512) and
 * mutual-TLS listeners; it prints the KAFKA_* settings of each (kafka.ts, startSecureKafka).
 *
 * Ports: FLOWLINE_KAFKA_PORT (19092), FLOWLINE_POSTGRES_PORT (15432), FLOWLINE_REDIS_PORT (16379),
 * FLOWLINE_MOSQUITTO_PORT (11883), FLOWLINE_KAFKA_SECURE_PORT (Kafka's + 2, and the four after it);
 * the control plane's, KEDA's and Dapr's are in local-dev/services/kubernetes.ts, keda.ts and dapr-injector.ts.
 * Installed artifacts are cached in ~/.cache/flowline (FLOWLINE_CACHE_DIR); data and logs in .flowline/.
 */
import { startDaprInjector, stopDaprInjector } from './services/dapr-injector.ts';
import { installDaprd } from './services/daprd.ts';
import { type SecureKafkaService, startKafka, startSecureKafka, stopKafka, stopSecureKafka } from './services/kafka.ts';
import { startKeda, stopKeda } from './services/keda.ts';
import { startKubernetes, stopKubernetes } from './services/kubernetes.ts';
import { startMosquitto, stopMosquitto } from './services/mosquitto.ts';
import { startPostgres, stopPostgres } from './services/postgres.ts';
import { ServiceError } from './services/process.ts';
import { startRedis, stopRedis } from './services/redis.ts';
import { StartedServices } from './services/started.ts';

const [command = 'up', ...args] = process.argv.slice(2);
const withKubernetes = args.includes('--with-kubernetes');
const names = args.filter((a) => a !== '--with-kubernetes');
const wanted = new Set(names.length > 0 ? names : ['kafka', 'postgres', 'redis', 'mosquitto', 'daprd']);

const started = new StartedServices();
try {
  if (command === 'up') {
    const lines: string[] = [];
    if (wanted.has('redis')) lines.push(`REDIS_URL=${(await started.use(startRedis(), stopRedis)).url}`);
    if (wanted.has('postgres')) lines.push(`DATABASE_URL=${(await started.use(startPostgres(), stopPostgres)).url}`);
    if (wanted.has('mosquitto')) lines.push(`MQTT_URL=${(await started.use(startMosquitto(), stopMosquitto)).url}`);
    if (wanted.has('kafka')) lines.push(`KAFKA_BROKERS=${(await started.use(startKafka(), stopKafka)).brokers}`);
    if (wanted.has('daprd')) lines.push(`DAPRD=${installDaprd()}`);
    if (wanted.has('kafka-secure')) lines.push(...secureKafkaSettings(await started.use(startSecureKafka(), stopSecureKafka)));
    if (withKubernetes) {
      const cluster = await startKubernetes();
      await startKeda(cluster);
      await startDaprInjector(cluster);
      lines.push(`KUBECONFIG=${cluster.kubeconfig}`);
    }
    console.log(lines.join('\n'));
  } else if (command === 'down') {
    await Promise.all([stopKeda(), stopDaprInjector()]);
    await Promise.all([stopKubernetes(), stopKafka(), stopSecureKafka(), stopPostgres(), stopRedis(), stopMosquitto()]);
    console.log('stopped');
  } else {
    console.error('usage: node local-dev/services.ts up|down [kafka postgres redis mosquitto daprd kafka-secure] [--with-kubernetes]');
    process.exit(2);
  }
} catch (error) {
  await started.stopAll(); // all or nothing: a half-started set would be taken for strangers' next time
  if (error instanceof ServiceError) {
    console.error(`local-dev: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

/** One line of KAFKA_* settings per listener of the secured broker, to paste before a command. */
function secureKafkaSettings(kafka: SecureKafkaService): string[] {
  const ca = `KAFKA_SSL=true KAFKA_SSL_CA_FILE=${kafka.pki.caCert}`;
  return [
    `# SSL:      KAFKA_BROKERS=${kafka.ssl} ${ca}`,
    `# SASL_SSL: KAFKA_BROKERS=${kafka.saslSsl} ${ca} KAFKA_SASL_MECHANISM=${kafka.scram.mechanism} KAFKA_SASL_USERNAME=${kafka.scram.username} KAFKA_SASL_PASSWORD=${kafka.scram.password}`,
    `# mTLS:     KAFKA_BROKERS=${kafka.mtls} ${ca} KAFKA_SSL_CERT_FILE=${kafka.pki.client.cert} KAFKA_SSL_KEY_FILE=${kafka.pki.client.key}`,
  ];
}
