import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FunctionManifestInput } from '../runtime/manifest.ts';
import { loadFunctionManifests } from './function-manifests.ts';
import { driftOf, generate } from './generate.ts';
import { derivedPaths, generatedFiles } from './generated-files.ts';
import { readTopicPartitions } from './topic-partitions.ts';

const repoRoot = resolve(import.meta.dirname, '..');

describe('derived files of this repository', () => {
  it('agree with functions/*/function.yaml (run `node keda/generate.ts` when this fails)', async () => {
    const { drift } = await driftOf(repoRoot);
    expect(drift).toEqual({ stale: [], orphaned: [] });
  });

  it('include a Dapr run file whose paths exist, relative to it', () => {
    const runFile = load(readFileSync(join(repoRoot, derivedPaths.daprRunFile), 'utf8')) as {
      common: { resourcesPaths: string[]; configFilePath: string };
      apps: { appDirPath: string; command: string[] }[];
    };
    const base = join(repoRoot, 'local-dev');
    for (const path of [...runFile.common.resourcesPaths, runFile.common.configFilePath])
      expect(existsSync(resolve(base, path)), path).toBe(true);
    for (const app of runFile.apps) {
      const dir = resolve(base, app.appDirPath);
      for (const arg of app.command.slice(1)) expect(existsSync(join(dir, arg)), arg).toBe(true);
    }
  });

  it('have a partition count in the chart values for every subscribed topic (or maxReplicas goes unclamped)', async () => {
    const partitions = await readTopicPartitions(join(repoRoot, 'charts', 'flowline', 'values.yaml'));
    const subscribed = (await loadFunctionManifests(join(repoRoot, 'functions'))).flatMap((m) => m.subscribes);
    expect([...new Set(subscribed)].filter((topic) => partitions[topic] === undefined)).toEqual([]);
  });
});

describe('the generator', () => {
  let root: string;
  const writeFunction = (manifest: FunctionManifestInput & { name: string }, dir = manifest.name) => {
    mkdirSync(join(root, 'functions', dir), { recursive: true });
    writeFileSync(join(root, 'functions', dir, 'function.yaml'), dump(manifest));
  };
  const readYaml = (path: string) => load(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flowline-generate-'));
    mkdirSync(join(root, 'charts', 'flowline'), { recursive: true });
    cpSync(join(repoRoot, 'charts', 'flowline', 'values.yaml'), join(root, 'charts', 'flowline', 'values.yaml'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('puts a new function folder in the chart list, a rendered ScaledObject and the Dapr run file', async () => {
    writeFunction({ name: 'validate', subscribes: ['scada.telemetry.raw'], publishes: ['scada.telemetry.validated'] });
    await generate(root);
    writeFunction({
      name: 'pressure-trend',
      subscribes: ['scada.telemetry.validated', 'scada.alarms'],
      startFrom: 'earliest',
      needs: ['postgres'],
      scaling: { minReplicas: 0, maxReplicas: 20, lagThreshold: 250, activationLagThreshold: 3 },
    });
    expect((await driftOf(root)).drift.stale).toEqual([
      derivedPaths.chartFunctions,
      'keda/rendered/pressure-trend.yaml',
      derivedPaths.daprRunFile,
    ]);
    await generate(root);

    const chart = readYaml(derivedPaths.chartFunctions) as {
      functions: { name: string; offsetResetPolicy: string; deadLetterTopics: string[] }[];
    };
    expect(chart.functions.map((f) => f.name)).toEqual(['pressure-trend', 'validate']);
    expect(chart.functions[0]).toMatchObject({
      offsetResetPolicy: 'earliest',
      deadLetterTopics: ['scada.telemetry.validated.dlq', 'scada.alarms.dlq'],
    });

    const scaledObject = readYaml('keda/rendered/pressure-trend.yaml') as {
      spec: Record<string, unknown> & { triggers: { metadata: Record<string, string> }[] };
    };
    // 20 clamped to the 6 partitions of scada.telemetry.validated, the larger of the two topics.
    expect(scaledObject.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 6, scaleTargetRef: { name: 'pressure-trend' } });
    expect(scaledObject.spec.triggers.map((t) => t.metadata)).toEqual([
      {
        bootstrapServersFromEnv: 'KAFKA_BROKERS',
        consumerGroup: 'pressure-trend',
        topic: 'scada.telemetry.validated',
        lagThreshold: '250',
        activationLagThreshold: '3',
        offsetResetPolicy: 'earliest',
      },
      expect.objectContaining({ topic: 'scada.alarms', consumerGroup: 'pressure-trend' }),
    ]);

    const runFile = readYaml(derivedPaths.daprRunFile) as {
      apps: { appID: string; appPort: number; command: string[]; env: { PORT: string } }[];
    };
    expect(runFile.apps.map((a) => [a.appID, a.appPort, a.env.PORT, a.command.at(-1)])).toEqual([
      ['pressure-trend', 3101, '3101', 'functions/pressure-trend'],
      ['validate', 3102, '3102', 'functions/validate'],
    ]);
    expect((await driftOf(root)).drift).toEqual({ stale: [], orphaned: [] });
  });

  it('removes the rendered ScaledObject of a function that is gone', async () => {
    writeFunction({ name: 'validate', subscribes: ['scada.telemetry.raw'] });
    writeFunction({ name: 'notify', subscribes: ['scada.alarms'] });
    await generate(root);
    rmSync(join(root, 'functions', 'notify'), { recursive: true });
    expect((await driftOf(root)).drift.orphaned).toEqual(['keda/rendered/notify.yaml']);
    await generate(root);
    expect(existsSync(join(root, 'keda', 'rendered', 'notify.yaml'))).toBe(false);
  });

  it('skips folders without a function.yaml and works with no functions at all', async () => {
    mkdirSync(join(root, 'functions', 'half-written'), { recursive: true });
    writeFileSync(join(root, 'functions', 'half-written', 'handler.ts'), '');
    const files = await generatedFiles(root);
    expect(load(files.get(derivedPaths.chartFunctions) ?? '')).toEqual({ functions: [] });
    expect([...files.keys()].filter((p) => p.startsWith('keda/rendered/'))).toEqual([]);
  });

  it('refuses an invalid manifest, naming the file and the line', async () => {
    writeFunction({ name: 'validate', subscribes: ['scada.telemetry.raw'] });
    writeFileSync(
      join(root, 'functions', 'validate', 'function.yaml'),
      'name: validate\nsubscribes: [scada.telemetry.raw]\nscaling:\n  maxReplica: 3\n',
    );
    await expect(generatedFiles(root)).rejects.toThrow(/function\.yaml:4: scaling: Unrecognized key: "maxReplica"/);
  });

  it('refuses a manifest whose name is not its folder', async () => {
    writeFunction({ name: 'validate', subscribes: ['scada.telemetry.raw'] }, 'validator');
    await expect(generatedFiles(root)).rejects.toThrow(/name "validate" must match its folder "validator"/);
  });
});
