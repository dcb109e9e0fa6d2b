import type { ChartFunction } from './chart-function.ts';
import { replicaBoundsOf } from './replica-bounds.ts';
import type { TopicPartitions } from './topic-partitions.ts';

/** The fields of a KEDA ScaledObject Flowline sets; validated against KEDA's CRD by the tests. */
export interface ScaledObjectDocument {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledObject';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1'; kind: 'Deployment'; name: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    pollingInterval: number;
    cooldownPeriod: number;
    fallback: { failureThreshold: number; replicas: number; behavior: 'currentReplicasIfHigher' };
    triggers: { type: 'kafka'; name: string; metadata: Record<string, string> }[];
  };
}

/**
 * The ScaledObject for users who apply with kubectl (keda/rendered/): one Kafka trigger
 * per subscribed topic on the function's own consumer group (the HPA scales to the
 * largest of them). The brokers come from the Deployment's own KAFKA_BROKERS
 * (`bootstrapServersFromEnv`), so the file is the same for every cluster; SASL and TLS
 * need an authenticationRef of your own (the chart renders one from values).
 *
 * Fallback: when KEDA cannot read the lag three polls in a row it holds the current
 * replicas, or max(1, minReplicas) if fewer (KEDA 2.17+): a blind autoscaler should not
 * scale an alarm pipeline down.
 */
export function scaledObjectOf(fn: ChartFunction, partitions: TopicPartitions): ScaledObjectDocument {
  const bounds = replicaBoundsOf(fn.scaling, fn.subscribes, partitions);
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: fn.name,
      labels: { 'app.kubernetes.io/name': 'flowline', 'app.kubernetes.io/component': 'function', 'flowline/function': fn.name },
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fn.name },
      minReplicaCount: bounds.minReplicas,
      maxReplicaCount: bounds.maxReplicas,
      pollingInterval: fn.scaling.pollingIntervalSeconds,
      cooldownPeriod: fn.scaling.cooldownPeriodSeconds,
      fallback: {
        failureThreshold: 3,
        replicas: Math.min(bounds.maxReplicas, Math.max(1, bounds.minReplicas)),
        behavior: 'currentReplicasIfHigher',
      },
      triggers: fn.subscribes.map((topic) => ({
        type: 'kafka',
        name: triggerNameOf(topic),
        metadata: {
          bootstrapServersFromEnv: 'KAFKA_BROKERS',
          ...kafkaTriggerMetadataOf(fn, topic),
        },
      })),
    },
  };
}

/**
 * The trigger metadata derived from the manifest alone; the chart adds the brokers
 * and the SASL/TLS switches from values. KEDA wants every value as a string.
 */
export function kafkaTriggerMetadataOf(fn: ChartFunction, topic: string): Record<string, string> {
  return {
    consumerGroup: fn.consumerGroup,
    topic,
    lagThreshold: String(fn.scaling.lagThreshold),
    activationLagThreshold: String(fn.scaling.activationLagThreshold),
    offsetResetPolicy: fn.offsetResetPolicy,
  };
}

/** A trigger's name shows in KEDA's events and metrics: the topic, as a DNS-ish label. */
export const triggerNameOf = (topic: string): string => topic.replaceAll('.', '-');
