import { join } from 'node:path';
import { dump } from 'js-yaml';
import { chartFunctionOf } from './chart-function.ts';
import { chartTopics } from './chart-topics.ts';
import { daprRunFileOf } from './dapr-run-file.ts';
import { loadFunctionManifests } from './function-manifests.ts';
import { scaledObjectOf } from './scaled-object.ts';
import { readTopicPartitions } from './topic-partitions.ts';

/** Where the derived files live, relative to the repository root. */
export const derivedPaths = {
  chartFunctions: 'charts/flowline/generated/functions.yaml',
  chartTopics: 'charts/flowline/generated/topics.yaml',
  renderedDir: 'keda/rendered',
  daprRunFile: 'local-dev/dapr.yaml',
} as const;

const fromManifests = { source: 'functions/*/function.yaml', change: 'the manifest', sources: 'the manifests' };
const header = (what: string, from = fromManifests, regenerate = 'node keda/generate.ts') =>
  [
    `# ${what}`,
    `# Generated from ${from.source}: do not edit. Change ${from.change} and run`,
    `#   ${regenerate}`,
    `# (keda/generate.test.ts fails when this file and ${from.sources} disagree).`,
    '',
  ].join('\n');

// Double quotes, as biome formats YAML (npm run lint checks the generated files too).
const yaml = (value: unknown) => dump(value, { lineWidth: -1, noRefs: true, quoteStyle: 'double' });

/**
 * Every derived file, path → content: the chart's function list, one ScaledObject per
 * function for kubectl users and the Dapr multi-app run file (from the manifests), and
 * the chart's topic list (from contracts/topic-settings.ts). Pure: reads the manifests
 * and the chart's partition counts, writes nothing.
 */
export async function generatedFiles(repoRoot: string): Promise<Map<string, string>> {
  const manifests = await loadFunctionManifests(join(repoRoot, 'functions'));
  const partitions = await readTopicPartitions(join(repoRoot, 'charts', 'flowline', 'values.yaml'));
  const functions = manifests.map(chartFunctionOf);
  const files = new Map<string, string>();

  files.set(
    derivedPaths.chartFunctions,
    header('The functions the chart deploys; its templates range over this list (.Files.Get).') + yaml({ functions }),
  );
  files.set(
    derivedPaths.chartTopics,
    header('The topics a Strimzi cluster gets as KafkaTopics (kafkaTopics.strimzi), dead letters included.', {
      source: 'contracts/topic-settings.ts',
      change: 'topicSettings there',
      sources: 'the contracts',
    }) + yaml({ topics: chartTopics() }),
  );

  for (const fn of functions) {
    files.set(
      `${derivedPaths.renderedDir}/${fn.name}.yaml`,
      header(
        `KEDA ScaledObject for the "${fn.name}" function, for clusters deployed without the chart: kubectl apply -n <namespace> -f ${derivedPaths.renderedDir}/\n` +
          "# KEDA reads the brokers from the Deployment's KAFKA_BROKERS; for SASL/TLS add an authenticationRef (or use the chart).",
      ) + yaml(scaledObjectOf(fn, partitions)),
    );
  }

  files.set(
    derivedPaths.daprRunFile,
    header(
      'Dapr multi-app run file: every function with its own sidecar, on the services of `npm run services up`.\n' +
        '#   export KAFKA_BROKERS=127.0.0.1:19092 REDIS_HOST=127.0.0.1:16379   # daprd reads these (components/ use envRef)\n' +
        '#   dapr run -f local-dev/dapr.yaml                                    # needs `dapr init` and Node.js 24 on PATH',
    ) + yaml(daprRunFileOf(manifests)),
  );
  return files;
}
