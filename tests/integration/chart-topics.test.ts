import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { deadLetterSettings, type TopicSettings, topicConfig, topicSettings } from '../../contracts/topic-settings.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { helm, type KubeObject, renderChart } from '../support/helm.ts';

/**
 * The chart's Strimzi KafkaTopics, rendered by a real helm, against the declaration
 * `flowline topics apply` applies (contracts/topic-settings.ts): the same topics, dead
 * letters included, with the same partitions, replication and broker configs.
 * kubernetes-custom-resources.test.ts has the API server check them against Strimzi's CRD.
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const minimal = join(chartDir, 'ci', 'minimal-values.yaml');

interface KafkaTopic extends KubeObject {
  spec: { topicName: string; partitions: number; replicas: number; config: Record<string, string> };
}

const kafkaTopics = (set: string[]): KafkaTopic[] =>
  renderChart(chartDir, [minimal], { set: ['kafkaTopics.strimzi.enabled=true', 'kafkaTopics.strimzi.cluster=plant', ...set] }).filter(
    (o): o is KafkaTopic => o.kind === 'KafkaTopic',
  );

/** What `flowline topics apply` creates on a cluster of `brokers` brokers, topic by topic. */
function declared(brokers: number) {
  const wanted: [string, TopicSettings][] = Object.entries(topicSettings).flatMap(([topic, settings]): [string, TopicSettings][] => [
    [topic, settings],
    [`${topic}.dlq`, deadLetterSettings(settings)],
  ]);
  return wanted.map(([topic, settings]) => {
    const { replication, configs } = topicConfig(settings, brokers);
    return { topic, partitions: settings.partitions, replication, configs };
  });
}

const asDeclared = (topics: KafkaTopic[]) =>
  topics.map((t) => ({ topic: t.spec.topicName, partitions: t.spec.partitions, replication: t.spec.replicas, configs: t.spec.config }));

beforeAll(() => {
  helm(['version']); // builds helm on the first run on a machine (a few minutes)
}, 900_000);

describe('kafkaTopics.strimzi', () => {
  it('passes helm lint --strict when on, with the PrometheusRule too', () => {
    const on = ['kafkaTopics.strimzi.enabled=true', 'kafkaTopics.strimzi.cluster=plant', 'metrics.prometheusRule.enabled=true'];
    const result = helm(['lint', '--strict', chartDir, '--values', minimal, ...on.flatMap((s) => ['--set', s])]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('is off by default: no KafkaTopic', () => {
    expect(renderChart(chartDir, [minimal]).filter((o) => o.kind === 'KafkaTopic')).toEqual([]);
  });

  it('renders one KafkaTopic per declared topic and dead-letter topic, with the settings `topics apply` sets', () => {
    const topics = kafkaTopics([]);
    expect(topics.length).toBe(2 * Object.keys(topicSettings).length);
    expect(asDeclared(topics)).toEqual(declared(3));
  });

  it('caps replication at kafkaTopics.strimzi.brokers, and min.insync.replicas with it, as topicConfig() does', () => {
    for (const brokers of [1, 2, 5]) expect(asDeclared(kafkaTopics([`kafkaTopics.strimzi.brokers=${brokers}`]))).toEqual(declared(brokers));
  });

  it('labels each for the Topic Operator of the cluster named, names it after its topic, and keeps it on uninstall', () => {
    for (const t of kafkaTopics(['kafkaTopics.strimzi.namespace=kafka'])) {
      expect(t.apiVersion).toBe('kafka.strimzi.io/v1beta2');
      expect(t.metadata.name).toBe(t.spec.topicName);
      expect(t.metadata.namespace).toBe('kafka');
      expect(t.metadata.labels?.['strimzi.io/cluster']).toBe('plant');
      expect(t.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
    const [owned] = kafkaTopics(['kafkaTopics.strimzi.keepOnUninstall=false', 'kafkaTopics.strimzi.apiVersion=kafka.strimzi.io/v1']);
    expect([owned?.apiVersion, owned?.metadata.annotations]).toEqual(['kafka.strimzi.io/v1', undefined]);
  });

  const failure = (set: string[]) => {
    const result = helm(['template', 'flowline', chartDir, '--values', minimal, ...set.flatMap((s) => ['--set', s])]);
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  it('says the cluster name is missing when it is enabled without one', () => {
    expect(failure(['kafkaTopics.strimzi.enabled=true'])).toContain('kafkaTopics.strimzi.cluster is required');
  });

  it('refuses, naming the key, a misspelt setting, an API version Strimzi does not serve, and no brokers', () => {
    expect(failure(['kafkaTopics.strimzi.enable=true'])).toMatch(/kafkaTopics\/strimzi.*additional properties 'enable' not allowed/);
    expect(failure(['kafkaTopics.strimzi.apiVersion=kafka.strimzi.io/v1beta1'])).toMatch(/kafkaTopics\/strimzi\/apiVersion/);
    expect(failure(['kafkaTopics.strimzi.brokers=0'])).toMatch(/kafkaTopics\/strimzi\/brokers/);
  });
});
