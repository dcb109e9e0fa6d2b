import kafkajs, { type Admin } from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader does not see this export by name.
const { ConfigResourceTypes } = kafkajs;

import { deadLetterSettings, type TopicSettings, topicConfig, topicCreation } from '../contracts/topic-settings.ts';
import { waitForLeaders } from '../runtime/hosts/kafka/ensure-topics.ts';

export interface TopicChange {
  topic: string;
  /** created / corrected: done (or, on a dry run, to do); ok: as declared; manual: only an operator can fix it. */
  action: 'created' | 'corrected' | 'ok' | 'manual';
  detail: string;
}

/**
 * Makes the cluster's topics match their declaration (contracts/topic-settings.ts), each
 * with its dead-letter topic: creates the missing ones, adds partitions, sets retention and
 * min.insync.replicas. What Kafka cannot do in place (fewer partitions, another
 * replication factor) is reported, never forced. The topic configs it sets replace any
 * other dynamic config of those topics: the declaration owns them.
 */
export async function applyTopics(
  admin: Admin,
  declared: Record<string, TopicSettings>,
  options: { dryRun?: boolean } = {},
): Promise<TopicChange[]> {
  const wanted = new Map<string, TopicSettings>();
  for (const [topic, settings] of Object.entries(declared)) {
    wanted.set(topic, settings);
    wanted.set(`${topic}.dlq`, deadLetterSettings(settings));
  }
  const brokers = (await admin.describeCluster()).brokers.length;
  const existing = new Set(await admin.listTopics());
  const changes: TopicChange[] = [];

  const missing = [...wanted].filter(([topic]) => !existing.has(topic));
  if (missing.length > 0 && !options.dryRun) {
    // Not kafkajs' own leader wait: it gives up on a topic a broker does not know yet; the runtime's retries that.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map(([topic, settings]) => topicCreation(topic, settings, brokers)),
    });
    await waitForLeaders(
      admin,
      missing.map(([topic]) => topic),
    );
  }
  for (const [topic, settings] of missing) {
    const { replication, configs } = topicConfig(settings, brokers);
    changes.push({
      topic,
      action: 'created',
      detail: `${settings.partitions} partitions, replication ${replication}, retention ${settings.retentionHours} h, min.insync.replicas ${configs['min.insync.replicas']}`,
    });
  }

  const present = [...wanted].filter(([topic]) => existing.has(topic));
  if (present.length === 0) return changes;
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present.map(([t]) => t) });
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map(([topic]) => ({
      type: ConfigResourceTypes.TOPIC,
      name: topic,
      configNames: ['retention.ms', 'min.insync.replicas'],
    })),
  });
  for (const [topic, settings] of present) {
    const { replication, configs } = topicConfig(settings, brokers);
    const partitions = metadata.find((m) => m.name === topic)?.partitions ?? [];
    const actual = Object.fromEntries(
      (described.resources.find((r) => r.resourceName === topic)?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
    );
    const done: string[] = [];
    const manual: string[] = [];
    if (partitions.length < settings.partitions) {
      if (!options.dryRun) await admin.createPartitions({ topicPartitions: [{ topic, count: settings.partitions }] });
      done.push(`partitions ${partitions.length} → ${settings.partitions}`);
    } else if (partitions.length > settings.partitions) {
      manual.push(`has ${partitions.length} partitions, declared ${settings.partitions}: Kafka cannot remove partitions`);
    }
    const replicas = Math.min(...partitions.map((p) => p.replicas.length));
    if (partitions.length > 0 && replicas !== replication) {
      manual.push(`replication ${replicas}, declared ${replication}: reassign the partitions (kafka-reassign-partitions.sh)`);
    }
    const wrong = Object.entries(configs).filter(([name, value]) => actual[name] !== value);
    if (wrong.length > 0) {
      if (!options.dryRun)
        await admin.alterConfigs({
          validateOnly: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic,
              configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
            },
          ],
        });
      for (const [name, value] of wrong) done.push(`${name} ${actual[name] ?? '(default)'} → ${value}`);
    }
    if (manual.length > 0) changes.push({ topic, action: 'manual', detail: [...done, ...manual].join('; ') });
    else if (done.length > 0) changes.push({ topic, action: 'corrected', detail: done.join('; ') });
    else
      changes.push({
        topic,
        action: 'ok',
        detail: `${settings.partitions} partitions, replication ${replication}, retention ${settings.retentionHours} h`,
      });
  }
  return changes;
}
