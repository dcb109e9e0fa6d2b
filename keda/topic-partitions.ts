import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { loadYamlConfig } from '../runtime/yaml-config.ts';

/** Topic → partition count, as the platform created the topics (seed 000 gives the defaults). */
export const TopicPartitions = z.record(z.string().min(1), z.number().int().min(1));
export type TopicPartitions = z.infer<typeof TopicPartitions>;

const ChartValues = z.looseObject({ kafka: z.looseObject({ topicPartitions: TopicPartitions.default({}) }) });

/**
 * The partition counts the chart's values.yaml declares under `kafka.topicPartitions`.
 * They live in the chart because a platform team overrides them in its own values
 * file when its topics differ; the rendered ScaledObjects for kubectl use the defaults.
 */
export async function readTopicPartitions(valuesFile: string): Promise<TopicPartitions> {
  const values = loadYamlConfig(await readFile(valuesFile, 'utf8'), valuesFile, ChartValues);
  return values.kafka.topicPartitions;
}
