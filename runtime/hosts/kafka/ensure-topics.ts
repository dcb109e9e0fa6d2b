import type { Admin } from 'kafkajs';
import { declaredTopicSettings, topicCreation } from '../../../contracts/topic-settings.ts';

/**
 * Creates the topics a function needs that are missing, with the contracts' settings (the
 * broker's defaults only for topics they do not declare), and waits until every one has a
 * leader for each partition. Safe to race: the functions of a first install all start at
 * once and create the same topics. Disconnects `admin` when done.
 */
export async function ensureTopics(admin: Admin, topics: string[]): Promise<void> {
  await admin.connect();
  try {
    await createMissingTopics(admin, topics);
    await waitForLeaders(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

/** The part of `ensureTopics` that creates, on a connected admin; a topic another process creates meanwhile is no error. */
export async function createMissingTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  const brokers = (await admin.describeCluster()).brokers.length;
  await admin
    .createTopics({
      // The contracts' partitions, replication and retention; the broker's defaults (-1) only for topics they do not declare.
      topics: missing.map((topic) => {
        const settings = declaredTopicSettings(topic);
        return settings ? topicCreation(topic, settings, brokers) : { topic, numPartitions: -1, replicationFactor: -1 };
      }),
      // Not kafkajs' own wait: it gives up on a topic the broker does not know yet. waitForLeaders retries that.
      waitForLeaders: false,
    })
    .catch((error: Error & { errors?: { type?: string }[] }) => {
      // The other functions of a first install create the same topics at the same moment.
      if (!error.errors?.length || !error.errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS')) throw error;
    });
}

/**
 * A topic just created (by us or by another process) is not known to every broker at once;
 * subscribing before it is makes kafkajs give up with "does not host this topic-partition".
 * Metadata naming a leader is not enough either: on a broker that has just started, that
 * leader can still answer "not the leader for that topic-partition" to a ListOffsets (a
 * fresh clone's first bench died so), so each topic's offsets must be read too.
 */
export async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the topics ${topics.join(', ')} have no leader for every partition after ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ''}: check the brokers' health (under-replicated or offline partitions)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
