import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { CommandResultIntake } from './command-result-intake.ts';

export interface CommandResultsConsumer {
  stop(): Promise<void>;
}

/**
 * scada.commands.results from Kafka, in the consumer group `groupId`: the gateway's
 * replicas share the partitions, so each result is filed once, in the Redis they all
 * read. An offset is committed after Redis took its result (kafkajs commits what
 * eachMessage resolved; a rejection is retried, then the consumer restarts from the
 * last commit). Runs in the background: while Kafka is away the rest of the gateway
 * serves on, and the consumer keeps trying to join.
 */
export function readCommandResultsFromKafka(
  kafka: Kafka,
  intake: CommandResultIntake,
  options: { groupId: string; log: Logger; retryMs?: number },
): CommandResultsConsumer {
  const log = options.log.child({ component: 'command-results', group: options.groupId });
  let consumer: Consumer | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const start = async () => {
    consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: true });
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart && !stopped) {
        log.error({ err: e.payload.error }, 'command results consumer stopped for good; starting it again');
        retry();
      }
    });
    await consumer.connect();
    // A new group reads what the topic still holds: results answered before this gateway first started are kept too.
    await consumer.subscribe({ topics: ['scada.commands.results'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        await intake.take({ topic, partition, offset: message.offset, key: message.key?.toString(), value: message.value });
      },
    });
    log.info('reading scada.commands.results');
  };
  const retry = () => {
    if (stopped) return;
    const previous = consumer;
    consumer = undefined;
    void previous?.disconnect().catch(() => {});
    timer = setTimeout(() => void attempt(), options.retryMs ?? 5_000);
    timer.unref();
  };
  const attempt = async () => {
    try {
      await start();
    } catch (err) {
      log.warn({ err }, 'cannot read scada.commands.results yet; trying again');
      retry();
    }
  };
  void attempt();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await consumer?.disconnect().catch((err: unknown) => log.warn({ err }, 'command results consumer did not disconnect cleanly'));
    },
  };
}
