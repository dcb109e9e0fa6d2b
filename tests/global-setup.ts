import type { TestProject } from 'vitest/node';
import { installDaprd } from '../local-dev/services/daprd.ts';
import { type SecureKafkaService, startKafka, startSecureKafka, stopKafka, stopSecureKafka } from '../local-dev/services/kafka.ts';
import { startMosquitto, stopMosquitto } from '../local-dev/services/mosquitto.ts';
import { startPostgres, stopPostgres } from '../local-dev/services/postgres.ts';
import { startRedis, stopRedis } from '../local-dev/services/redis.ts';
import { StartedServices } from '../local-dev/services/started.ts';

export interface Services {
  kafkaBrokers: string;
  redisUrl: string;
  databaseUrl: string;
  daprd: string;
  /** An anonymous MQTT broker on loopback (mqtt://127.0.0.1:port). */
  mqttUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: Services;
    /** The broker with SSL, SASL_SSL and mutual-TLS listeners (kafka-security tests): one for the run, so no file stops it under another. */
    secureKafka: SecureKafkaService;
  }
}

/**
 * Installs (once, cached) and starts the real services the integration tests use:
 * Kafka (and a second broker whose listeners demand TLS, SCRAM or a client certificate),
 * PostgreSQL, Redis and Mosquitto on loopback, and a daprd binary. Set TEST_KAFKA_BROKERS,
 * TEST_DATABASE_URL, TEST_REDIS_URL and TEST_MQTT_URL to use services of your own instead.
 * What this setup started, it stops (FLOWLINE_KEEP_SERVICES=1 keeps them for the next run).
 */
export default async function setup(project: TestProject) {
  const started = new StartedServices();
  try {
    const redisUrl = process.env.TEST_REDIS_URL ?? (await started.use(startRedis(), stopRedis)).url;
    const databaseUrl = process.env.TEST_DATABASE_URL ?? (await started.use(startPostgres(), stopPostgres)).url;
    const kafkaBrokers = process.env.TEST_KAFKA_BROKERS ?? (await started.use(startKafka(), stopKafka)).brokers;
    const mqttUrl = process.env.TEST_MQTT_URL ?? (await started.use(startMosquitto(), stopMosquitto)).url;
    const daprd = installDaprd();
    const secureKafka = await started.use(startSecureKafka(), stopSecureKafka);
    project.provide('services', { kafkaBrokers, redisUrl, databaseUrl, daprd, mqttUrl });
    project.provide('secureKafka', secureKafka);
  } catch (error) {
    // A failed start leaves nothing of ours running (the next run would take it for a stranger's).
    await started.stopAll();
    throw error;
  }
  return async () => {
    if (process.env.FLOWLINE_KEEP_SERVICES === '1') return;
    await started.stopAll();
  };
}
