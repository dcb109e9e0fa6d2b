import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { decodeEvent } from '../../runtime/envelope.ts';

export interface KafkaCommandSourceOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  log: Logger;
  /** Decides one command's data; resolves once its answer is durably recorded. */
  handle: (data: unknown) => Promise<unknown>;
  retryMs?: number;
}

export interface CommandSource {
  /** True once the consumer has joined its group. */
  readonly ready: boolean;
  stop(): Promise<void>;
}

/**
 * Consumes `scada.commands` with this site's consumer group (every site reads every
 * command and keeps its own). An offset is committed only after the command's answer is
 * in the buffer, so a crash redelivers the command and the journal's record of decided
 * commands keeps it from being applied twice. New groups start at the end of the topic:
 * commands issued before this adapter first ran are not its to replay.
 *
 * The broker may be down when the adapter starts, or go away later: joining is retried
 * in the background, for as long as the adapter runs.
 */
export function startKafkaCommandSource(options: KafkaCommandSourceOptions): CommandSource {
  const { kafka, topic, groupId, log } = options;
  const retryMs = options.retryMs ?? 5_000;
  let consumer: Consumer | undefined;
  let ready = false;
  let stopped = false;
  // Say so once when the broker cannot be reached, not every retry of an hours-long outage.
  let failing = false;
  let timer: NodeJS.Timeout | undefined;

  const start = async () => {
    if (stopped) return;
    const fresh = kafka.consumer({ groupId, allowAutoTopicCreation: true, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    consumer = fresh;
    fresh.on(fresh.events.GROUP_JOIN, () => {
      ready = true;
      failing = false;
      log.info({ topic, groupId }, 'listening for commands');
    });
    fresh.on(fresh.events.CRASH, (event) => {
      ready = false;
      const { error, restart } = event.payload;
      if (!restart) {
        log.error({ err: error }, 'command consumer stopped; reconnecting');
        retry(fresh);
      }
    });
    try {
      await fresh.connect();
      await fresh.subscribe({ topic, fromBeginning: false });
      await fresh.run({
        autoCommit: true,
        eachMessage: async ({ message, partition }) => {
          const decoded = decodeEvent(message.value, { topic, partition, offset: message.offset, key: message.key?.toString() });
          if (!decoded.ok) {
            log.warn({ partition, offset: message.offset, reason: decoded.reason }, 'skipped an undecodable command message');
            return;
          }
          await options.handle(decoded.event.data);
        },
      });
    } catch (error) {
      if (failing) log.debug({ err: error, retryInMs: retryMs }, 'still cannot consume commands');
      else log.warn({ err: error, retryInMs: retryMs }, 'cannot consume commands; retrying until the broker answers');
      failing = true;
      retry(fresh);
    }
  };

  const retry = (failed: Consumer) => {
    if (stopped || failed !== consumer) return;
    consumer = undefined;
    ready = false;
    void failed.disconnect().catch(() => {});
    timer = setTimeout(() => void start(), retryMs);
  };

  void start();
  return {
    get ready() {
      return ready;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      ready = false;
      // Leaving the group politely needs the broker; without one, do not wait for it.
      let patience: NodeJS.Timeout | undefined;
      await Promise.race([consumer?.disconnect().catch(() => {}), new Promise((r) => (patience = setTimeout(r, 5_000)))]);
      clearTimeout(patience);
    },
  };
}
