import type { Topic } from './topics.ts';

/** How a topic is kept on the cluster: the durability half of its contract. */
export interface TopicSettings {
  partitions: number;
  /** Copies of each partition; capped at the number of brokers of a smaller (development) cluster. */
  replication: number;
  retentionHours: number;
}

const HOUR = 3_600_000;

/**
 * Partitions, replication and retention of every topic (seed 000, "Topics principales";
 * the topics the seed does not list follow their nearest kin). `npm run flowline --
 * topics apply` creates or corrects them on a cluster, and a function that creates a
 * missing topic at start uses these instead of the broker's defaults. With replication 3,
 * `min.insync.replicas` is 2: an acknowledged write survives the loss of a broker.
 */
export const topicSettings: Record<Topic, TopicSettings> = {
  'scada.telemetry.raw': { partitions: 6, replication: 3, retentionHours: 168 },
  'scada.telemetry.validated': { partitions: 6, replication: 3, retentionHours: 720 },
  // Their kin's settings: the same devices as keys, so the same partitions and retention.
  'scada.telemetry.compacted': { partitions: 6, replication: 3, retentionHours: 168 },
  'scada.telemetry.compacted.validated': { partitions: 6, replication: 3, retentionHours: 720 },
  'scada.alarms': { partitions: 3, replication: 3, retentionHours: 2160 },
  'scada.alarm-actions': { partitions: 3, replication: 3, retentionHours: 2160 },
  'scada.commands': { partitions: 3, replication: 3, retentionHours: 24 },
  'scada.commands.results': { partitions: 3, replication: 3, retentionHours: 24 },
  'well-testing.test-created': { partitions: 3, replication: 3, retentionHours: 2160 },
  'well-testing.test-completed': { partitions: 3, replication: 3, retentionHours: 2160 },
  'well-testing.ipr-calculated': { partitions: 3, replication: 3, retentionHours: 2160 },
  'drilling.calculations': { partitions: 3, replication: 3, retentionHours: 2160 },
  'production.calculations': { partitions: 3, replication: 3, retentionHours: 2160 },
  'production.well-status-changed': { partitions: 3, replication: 3, retentionHours: 720 },
  'production.daily-production': { partitions: 6, replication: 3, retentionHours: 2160 },
  'system.audit-log': { partitions: 3, replication: 3, retentionHours: 4320 },
};

/** Dead letters wait for an operator: at least 30 days, and never less than their source keeps. */
export function deadLetterSettings(source: TopicSettings): TopicSettings {
  return { ...source, retentionHours: Math.max(720, source.retentionHours) };
}

/** The broker configuration a topic's settings stand for, on a cluster of `brokers` brokers. */
export function topicConfig(settings: TopicSettings, brokers: number): { replication: number; configs: Record<string, string> } {
  const replication = Math.max(1, Math.min(settings.replication, brokers));
  return {
    replication,
    configs: {
      'retention.ms': String(settings.retentionHours * HOUR),
      'min.insync.replicas': String(Math.max(1, Math.min(2, replication - 1))),
    },
  };
}

/** What creating a topic with its settings asks of a cluster of `brokers` brokers (a CreateTopics entry). */
export function topicCreation(
  topic: string,
  settings: TopicSettings,
  brokers: number,
): { topic: string; numPartitions: number; replicationFactor: number; configEntries: { name: string; value: string }[] } {
  const { replication, configs } = topicConfig(settings, brokers);
  return {
    topic,
    numPartitions: settings.partitions,
    replicationFactor: replication,
    configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
  };
}

/** The declared settings of a topic or of its dead-letter topic (`<topic>.dlq`); undefined for a topic not in the contracts. */
export function declaredTopicSettings(topic: string): TopicSettings | undefined {
  const own = (topicSettings as Record<string, TopicSettings>)[topic];
  if (own) return own;
  const source = topic.endsWith('.dlq') ? (topicSettings as Record<string, TopicSettings>)[topic.slice(0, -'.dlq'.length)] : undefined;
  return source ? deadLetterSettings(source) : undefined;
}
