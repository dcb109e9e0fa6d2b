/**
 * Real services on loopback for tests and local development:
 *
 *   node local-dev/services.ts up [kafka postgres redis daprd]   install once (cached), start, print the URLs
 *   node local-dev/services.ts down                              stop what is running
 *
 * Ports: FLOWLINE_KAFKA_PORT (19092), FLOWLINE_POSTGRES_PORT (15432), FLOWLINE_REDIS_PORT (16379).
 * Installed artifacts are cached in ~/.cache/flowline (FLOWLINE_CACHE_DIR); data and logs in .flowline/.
 */
import { installDaprd } from './services/daprd.ts';
import { startKafka, stopKafka } from './services/kafka.ts';
import { startPostgres, stopPostgres } from './services/postgres.ts';
import { ServiceError } from './services/process.ts';
import { startRedis, stopRedis } from './services/redis.ts';
import { StartedServices } from './services/started.ts';

const [command = 'up', ...names] = process.argv.slice(2);
const wanted = new Set(names.length > 0 ? names : ['kafka', 'postgres', 'redis', 'daprd']);

const started = new StartedServices();
try {
  if (command === 'up') {
    const lines: string[] = [];
    if (wanted.has('redis')) lines.push(`REDIS_URL=${(await started.use(startRedis(), stopRedis)).url}`);
    if (wanted.has('postgres')) lines.push(`DATABASE_URL=${(await started.use(startPostgres(), stopPostgres)).url}`);
    if (wanted.has('kafka')) lines.push(`KAFKA_BROKERS=${(await started.use(startKafka(), stopKafka)).brokers}`);
    if (wanted.has('daprd')) lines.push(`DAPRD=${installDaprd()}`);
    console.log(lines.join('\n'));
  } else if (command === 'down') {
    await Promise.all([stopKafka(), stopPostgres(), stopRedis()]);
    console.log('stopped');
  } else {
    console.error('usage: node local-dev/services.ts up|down [kafka postgres redis daprd]');
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
