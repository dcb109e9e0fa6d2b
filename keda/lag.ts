import type { Admin } from 'kafkajs';
import { consumerGroupOf, type FunctionManifest } from '../runtime/manifest.ts';
import { offsetResetPolicyOf } from './chart-function.ts';
import {
  desiredReplicasOf,
  type KafkaTriggerSettings,
  kafkaTriggerMetricOf,
  type PartitionOffsets,
  partitionLagOf,
  type ReplicaDecision,
  type TriggerMetric,
} from './kafka-scaler-formula.ts';
import { replicaBoundsOf } from './replica-bounds.ts';

/** What to read for one function: its group, its topics and its ScaledObject's settings. */
export interface LagTarget extends KafkaTriggerSettings {
  function: string;
  consumerGroup: string;
  topics: string[];
  scaling: FunctionManifest['scaling'];
  /**
   * The replica range the function's ScaledObject really has (the chart's lag exporter
   * targets carry it: the chart clamps maxReplicas to the partition counts its values
   * give, which need not be the broker's). The HPA is bounded by these, so the prediction
   * is too. Without them, the manifest's range clamped to the broker's partition counts.
   */
  bounds?: { minReplicas: number; maxReplicas: number };
}

export const lagTargetOf = (manifest: FunctionManifest): LagTarget => ({
  function: manifest.name,
  consumerGroup: consumerGroupOf(manifest),
  topics: [...manifest.subscribes],
  scaling: manifest.scaling,
  lagThreshold: manifest.scaling.lagThreshold,
  activationLagThreshold: manifest.scaling.activationLagThreshold,
  offsetResetPolicy: offsetResetPolicyOf(manifest),
});

export interface PartitionLag extends PartitionOffsets {
  /** As KEDA counts it: a partition with no committed offset counts per the offset reset policy. */
  lag: number;
}

export interface TopicLag {
  topic: string;
  partitions: PartitionLag[];
  /** Undefined when the offsets could not be read (see `error`). */
  trigger: TriggerMetric | undefined;
  error?: string;
}

export interface FunctionLag {
  target: LagTarget;
  topics: TopicLag[];
  /** Replica bounds of the ScaledObject: the target's, else the manifest's with maxReplicas clamped to the topics' real partition counts. */
  minReplicas: number;
  maxReplicas: number;
  /** Undefined when a topic could not be read: KEDA then counts failures and, after three, applies its fallback. */
  decision: ReplicaDecision | undefined;
}

/**
 * Reads one function's consumer-group offsets and its topics' high watermarks with the
 * kafkajs admin client, and derives what KEDA and the HPA make of them. `currentReplicas`
 * (from `kubectl get deploy`) makes the HPA's 10 % tolerance apply, as in the cluster.
 */
export async function readFunctionLag(admin: Admin, target: LagTarget, currentReplicas?: number): Promise<FunctionLag> {
  const topics = await Promise.all(target.topics.map((topic) => readTopicLag(admin, target, topic)));
  const partitions = Object.fromEntries(topics.filter((t) => t.trigger).map((t) => [t.topic, t.partitions.length]));
  const bounds = target.bounds ?? replicaBoundsOf(target.scaling, target.topics, partitions);
  const triggers = topics.flatMap((t) => (t.trigger ? [{ ...t.trigger, lagThreshold: target.lagThreshold }] : []));
  const readable = triggers.length === topics.length;
  return {
    target,
    topics,
    minReplicas: bounds.minReplicas,
    maxReplicas: bounds.maxReplicas,
    decision: readable ? desiredReplicasOf(triggers, bounds, currentReplicas) : undefined,
  };
}

async function readTopicLag(admin: Admin, target: LagTarget, topic: string): Promise<TopicLag> {
  try {
    // Committed offsets first, then the watermarks: a watermark read later is never below a
    // commit read earlier, so a busy group never shows a negative lag (read together, the
    // commit could be the newer of the two).
    const [committed] = await admin.fetchOffsets({ groupId: target.consumerGroup, topics: [topic] });
    const watermarks = await admin.fetchTopicOffsets(topic);
    const committedByPartition = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const partitions = watermarks
      .map((w): PartitionOffsets => {
        const offset = committedByPartition.get(w.partition);
        return {
          partition: w.partition,
          latestOffset: Number(w.high),
          earliestOffset: Number(w.low),
          // Kafka answers -1 for a partition the group never committed.
          committedOffset: offset === undefined || offset < 0 ? undefined : offset,
        };
      })
      .sort((a, b) => a.partition - b.partition)
      .map((p) => ({ ...p, lag: partitionLagOf(p, target) }));
    return { topic, partitions, trigger: kafkaTriggerMetricOf(partitions, target) };
  } catch (error) {
    return { topic, partitions: [], trigger: undefined, error: error instanceof Error ? error.message : String(error) };
  }
}
