import { deadLetterSettings, type TopicSettings, topicConfig, topicSettings } from '../contracts/topic-settings.ts';

/**
 * One entry of the chart's generated topic list (charts/flowline/generated/topics.yaml): a
 * topic of contracts/topic-settings.ts, or its `.dlq`, as its KafkaTopic needs it. The
 * replication is the declared one; the chart caps it at kafkaTopics.strimzi.brokers and
 * derives min.insync.replicas from the capped value, as topicConfig() does for
 * `flowline topics apply` from the brokers it sees (chart-render.test.ts checks both agree).
 */
export interface ChartTopic {
  name: string;
  partitions: number;
  replication: number;
  /** retention.ms as Kafka takes it: a string, so helm never prints it as a float. */
  retentionMs: string;
}

const chartTopicOf = (name: string, settings: TopicSettings): ChartTopic => ({
  name,
  partitions: settings.partitions,
  replication: settings.replication,
  // The broker config the CLI sets, taken from the one place that computes it.
  retentionMs: topicConfig(settings, settings.replication).configs['retention.ms'] ?? '',
});

/** Every declared topic followed by its dead-letter topic, in declaration order. */
export function chartTopics(declared: Record<string, TopicSettings> = topicSettings): ChartTopic[] {
  return Object.entries(declared).flatMap(([name, settings]) => [
    chartTopicOf(name, settings),
    chartTopicOf(`${name}.dlq`, deadLetterSettings(settings)),
  ]);
}
