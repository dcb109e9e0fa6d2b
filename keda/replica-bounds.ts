import type { FunctionManifest } from '../runtime/manifest.ts';
import type { TopicPartitions } from './topic-partitions.ts';

export interface ReplicaBounds {
  minReplicas: number;
  maxReplicas: number;
  /** The most partitions of any subscribed topic, when every subscribed topic's count is known. */
  partitionLimit: number | undefined;
  /** Subscribed topics with no partition count: the manifest's maxReplicas is used unclamped. */
  unknownTopics: string[];
}

/**
 * The replica range a function's ScaledObject gets. A consumer beyond a topic's
 * partition count has nothing assigned and sits idle, so maxReplicas is clamped to the
 * partitions (KEDA's own metric is capped the same way, allowIdleConsumers=false). With
 * several topics, one trigger per topic, the largest topic is the limit. When a topic's
 * count is unknown the limit is unknown too, and the manifest's value stands.
 * charts/flowline/templates/_functions.tpl ("flowline.function.bounds") is the same rule
 * in Go templates; the chart test checks the two agree.
 */
export function replicaBoundsOf(
  scaling: FunctionManifest['scaling'],
  subscribes: readonly string[],
  partitions: TopicPartitions,
): ReplicaBounds {
  const unknownTopics = subscribes.filter((topic) => partitions[topic] === undefined);
  const partitionLimit = unknownTopics.length > 0 ? undefined : Math.max(...subscribes.map((topic) => partitions[topic] ?? 0));
  const maxReplicas = partitionLimit === undefined ? scaling.maxReplicas : Math.min(scaling.maxReplicas, partitionLimit);
  return { minReplicas: Math.min(scaling.minReplicas, maxReplicas), maxReplicas, partitionLimit, unknownTopics };
}
