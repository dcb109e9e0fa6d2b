import type { Admin } from 'kafkajs';
import { deadLetterSettings, type TopicSettings, topicConfig, topicSettings } from '../../contracts/topic-settings.ts';

/**
 * Every declared topic (and its dead-letter topic) created with its declared partitions,
 * replication and retention, with a leader for every partition. A broker that has just started answers metadata before
 * it can host a new topic's partitions ("This server does not host this topic-partition" on
 * a fresh clone's first run): such errors are retried until `timeoutMs`.
 */
export async function topicsReady(admin: Admin, timeoutMs = 90_000): Promise<void> {
  const declared = new Map<string, TopicSettings>(
    Object.entries(topicSettings).flatMap(([topic, settings]) => [
      [topic, settings],
      [`${topic}.dlq`, deadLetterSettings(settings)],
    ]),
  );
  const topics = [...declared.keys()];
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        const brokers = (await admin.describeCluster()).brokers.length;
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => {
            const settings = declared.get(topic) as TopicSettings;
            const { replication, configs } = topicConfig(settings, brokers);
            return {
              topic,
              numPartitions: settings.partitions,
              replicationFactor: replication,
              configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
            };
          }),
        });
      }
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
