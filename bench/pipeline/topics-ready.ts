import type { Admin } from 'kafkajs';
import { applyTopics } from '../../cli/topics-command.ts';
import { topicSettings } from '../../contracts/topic-settings.ts';

/**
 * Every declared topic (and its dead-letter topic) created as `flowline topics apply` does,
 * with a leader for every partition. A broker that has just started answers metadata before
 * it can host a new topic's partitions ("This server does not host this topic-partition" on
 * a fresh clone's first run): such errors are retried until `timeoutMs`.
 */
export async function topicsReady(admin: Admin, timeoutMs = 90_000): Promise<void> {
  const topics = Object.keys(topicSettings).flatMap((t) => [t, `${t}.dlq`]);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await applyTopics(admin, topicSettings);
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      if (metadata.length === topics.length && metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))
        return;
    } catch (error) {
      const e = error as Error & { retriable?: boolean; type?: string };
      // kafkajs marks "does not host this topic-partition" (UNKNOWN_TOPIC_OR_PARTITION) and leader elections retriable.
      if (!e.retriable && e.type !== 'UNKNOWN_TOPIC_OR_PARTITION' && e.name !== 'KafkaJSTopicMetadataNotLoaded') throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the broker did not give every Flowline topic a leader within ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ''}: see the broker log, .flowline/logs/server.log`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
