/**
 * Real services on loopback for tests and local development:
 *
 *   node local-dev/services.ts up [kafka postgres redis mosquitto daprd] [--with-kubernetes]
 *                                      install once (cached), start, print the URLs
 *   node local-dev/services.ts down    stop what is running
 *
 * --with-kubernetes adds a control plane (etcd, kube-apiserver, kube-controller-manager),
 * KEDA and Dapr's sidecar injector (with its Sentry) on loopback, and prints the KUBECONFIG
 * to use with helm (kubernetes.ts, keda.ts, dapr-injector.ts).
 *
 * Ports: FLOWLINE_KAFKA_PORT (19092), FLOWLINE_POSTGRES_PORT (15432), FLOWLINE_REDIS_PORT (16379),
 * FLOWLINE_MOSQUITTO_PORT (11883);
 * the control plane's, KEDA's and Dapr's are in local-dev/services/kubernetes.ts, keda.ts and dapr-injector.ts.
 * Installed artifacts are cached in ~/.cache/flowline (FLOWLINE_CACHE_DIR); data and logs in .flowline/.
 */
import { startDaprInjector, stopDaprInjector } from './services/dapr-injector.ts';
import { installDaprd } from './services/daprd.ts';
import { startKafka, stopKafka } from './services/kafka.ts';
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
    if (withKubernetes) {
      const cluster = await startKubernetes();
      await startKeda(cluster);
      await startDaprInjector(cluster);
      lines.push(`KUBECONFIG=${cluster.kubeconfig}`);
    }
    console.log(lines.join('\n'));
  } else if (command === 'down') {
    await Promise.all([stopKeda(), stopDaprInjector()]);
    await Promise.all([stopKubernetes(), stopKafka(), stopPostgres(), stopRedis(), stopMosquitto()]);
    console.log('stopped');
  } else {
    console.error('usage: node local-dev/services.ts up|down [kafka postgres redis mosquitto daprd] [--with-kubernetes]');
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
