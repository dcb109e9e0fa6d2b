/**
 * The flowline command (`npm run flowline -- <command>`):
 *
 *   new function <name> [--subscribes topic] [--publishes topic] [--description text]
 *   dlq show <topic>                 each dead letter of <topic>.dlq with its reason
 *   dlq replay <topic> [--function name]   send dead letters back to <topic>, once each
 *   config check [dir]               validate every configuration document in a folder
 *   config push <kind> <file.yaml>   store a validated document in PostgreSQL (DATABASE_URL)
 *   lag [...]                        consumer lag and the replicas KEDA would choose (keda/)
 *   topics apply [--dry-run]         create or correct the declared topics (contracts/topic-settings.ts)
 *
 * Kafka and PostgreSQL come from KAFKA_BROKERS (with the runtime's SASL/TLS variables)
 * and DATABASE_URL.
 */
import { pino } from 'pino';
import { ConfigError, parseEnv, RuntimeEnv } from '../runtime/config.ts';
import { checkKafkaAccess } from '../runtime/hosts/kafka/access-check.ts';
import { createKafka } from '../runtime/hosts/kafka/client.ts';
import { kafkaConnectionFromEnv } from '../runtime/hosts/kafka/connection-from-env.ts';
import { isKafkaAccessError } from '../runtime/hosts/kafka/kafka-access-error.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { checkConfig, pushConfig } from './config-command.ts';
import { replayDeadLetters, showDeadLetters } from './dead-letters.ts';
import { newFunction } from './new-function.ts';
import { applyTopics } from './topics-command.ts';

const usage = `usage: npm run flowline -- <command>
  new function <name> [--subscribes topic] [--publishes topic] [--description text]
  dlq show <topic>
  dlq replay <topic> [--function name]
  config check [dir]
  config push <kind> <file.yaml>
  lag [options]
  topics apply [--dry-run]`;

assertNodeVersion();
const [command, sub, ...args] = process.argv.slice(2);
const root = new URL('..', import.meta.url).pathname;

/** The runtime's Kafka settings, checked once: a refused certificate or password is said at once. */
async function kafka() {
  const connection = kafkaConnectionFromEnv(parseEnv(RuntimeEnv), 'flowline-cli');
  const log = pino({ level: 'warn' });
  await checkKafkaAccess(connection, { log });
  return createKafka(connection, log);
}

try {
  if (command === 'new' && sub === 'function') {
    const dir = await newFunction(root, args);
    console.log(`created ${dir}: edit handler.ts, then run its test with npx vitest run ${dir}`);
  } else if (command === 'dlq' && sub === 'show' && args[0]) {
    const n = await showDeadLetters(await kafka(), args[0], (line) => console.log(line));
    console.log(`${n} dead letter(s) on ${args[0]}.dlq`);
  } else if (command === 'dlq' && sub === 'replay' && args[0]) {
    const index = args.indexOf('--function');
    const n = await replayDeadLetters(await kafka(), args[0], { functionName: index >= 0 ? args[index + 1] : undefined });
    console.log(`replayed ${n} dead letter(s) from ${args[0]}.dlq to their source topic`);
  } else if (command === 'topics' && sub === 'apply') {
    const { topicSettings } = await import('../contracts/topic-settings.ts');
    const admin = (await kafka()).admin();
    await admin.connect();
    try {
      const dryRun = args.includes('--dry-run');
      const changes = await applyTopics(admin, topicSettings, { dryRun });
      for (const c of changes) console.log(`${c.action.padEnd(9)} ${c.topic.padEnd(36)} ${c.detail}`);
      const manual = changes.filter((c) => c.action === 'manual').length;
      console.log(`${changes.length} topics${dryRun ? ' (dry run: nothing changed)' : ''}; ${manual} need an operator`);
      if (manual > 0) process.exitCode = 1;
    } finally {
      await admin.disconnect();
    }
  } else if (command === 'config' && sub === 'check') {
    console.log(await checkConfig(args[0]));
  } else if (command === 'config' && sub === 'push' && args[0] && args[1]) {
    await pushConfig(args[0], args[1]);
    console.log(`stored ${args[0]} from ${args[1]} in flowline_config`);
  } else if (command === 'lag') {
    const { main } = await import('../keda/lag-command.ts');
    process.exitCode = await main([sub, ...args].filter((a): a is string => a !== undefined));
  } else {
    console.error(usage);
    process.exit(2);
  }
} catch (error) {
  console.error(`flowline: ${(error as Error).message}`);
  // A wrong setting (2) is not a failed command (1): scripts tell them apart.
  process.exit(error instanceof ConfigError || isKafkaAccessError(error) ? 2 : 1);
}
