import type { Admin } from 'kafkajs';
import { topicSettings } from '../../contracts/topic-settings.ts';
import { createMissingTopics, waitForLeaders } from '../../runtime/hosts/kafka/ensure-topics.ts';

/**
 * Every declared topic (and its dead-letter topic) created with its declared partitions,
 * replication and retention, each partition with a leader that answers for its offsets:
 * the functions' own start-up steps, so the bench meets a fresh broker as they do.
 */
export async function topicsReady(admin: Admin, timeoutMs = 90_000): Promise<void> {
  const topics = Object.keys(topicSettings).flatMap((topic) => [topic, `${topic}.dlq`]);
  await createMissingTopics(admin, topics);
  await waitForLeaders(admin, topics, timeoutMs);
}
