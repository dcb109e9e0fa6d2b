import { routeOf } from '../runtime/hosts/dapr/subscriptions.ts';
import { consumerGroupOf, type FunctionManifest } from '../runtime/manifest.ts';
import { deadLetterTopicOf } from '../runtime/topics.ts';
import type { OffsetResetPolicy } from './kafka-scaler-formula.ts';

/**
 * One entry of the chart's generated function list (charts/flowline/generated/functions.yaml):
 * what the templates need to render a function's Deployment, Service, Dapr subscriptions
 * and ScaledObject, derived from its manifest and nothing else. Cluster facts (brokers,
 * partitions, secrets) come from values at render time.
 */
export interface ChartFunction {
  name: string;
  description: string;
  consumerGroup: string;
  subscribes: string[];
  publishes: string[];
  /** Where this function writes what it cannot handle: `<topic>.dlq` per subscribed topic. */
  deadLetterTopics: string[];
  needs: FunctionManifest['needs'];
  offsetResetPolicy: OffsetResetPolicy;
  subscriptions: { topic: string; route: string; deadLetterTopic: string }[];
  scaling: FunctionManifest['scaling'];
  resources: FunctionManifest['resources'];
}

export function chartFunctionOf(manifest: FunctionManifest): ChartFunction {
  return {
    name: manifest.name,
    description: manifest.description,
    consumerGroup: consumerGroupOf(manifest),
    subscribes: [...manifest.subscribes],
    publishes: [...manifest.publishes],
    deadLetterTopics: manifest.subscribes.map(deadLetterTopicOf),
    needs: [...manifest.needs],
    offsetResetPolicy: offsetResetPolicyOf(manifest),
    // The same route and dead-letter topic the dapr host serves on /dapr/subscribe.
    subscriptions: manifest.subscribes.map((topic) => ({ topic, route: routeOf(topic), deadLetterTopic: deadLetterTopicOf(topic) })),
    scaling: { ...manifest.scaling },
    resources: { ...manifest.resources },
  };
}

/**
 * A new group starts where the manifest says; KEDA must assume the same, or it reads
 * a group with no commits as "1 message behind" (latest) while the consumer is about
 * to read the whole topic (earliest), or the reverse.
 */
export const offsetResetPolicyOf = (manifest: Pick<FunctionManifest, 'startFrom'>): OffsetResetPolicy => manifest.startFrom;
