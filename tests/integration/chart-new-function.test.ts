import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../keda/generate.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { findObject, helm, type KubeObject, renderChart } from '../support/helm.ts';
import { createManifestCheck } from '../support/kubernetes-schemas.ts';

/**
 * The developer's promise: add a folder under functions/, regenerate, and the chart
 * deploys it (Deployment, Service, Dapr subscription and scopes, ScaledObject) with no
 * template edit. Checked in a temporary copy of the repository's chart and manifests.
 */
let root: string;
let chartDir: string;
const templatesBefore = new Map<string, string>();

beforeAll(async () => {
  helm(['version']); // builds helm on the first run on a machine
  root = mkdtempSync(join(tmpdir(), 'flowline-chart-'));
  chartDir = join(root, 'charts', 'flowline');
  cpSync(join(repoRoot, 'charts', 'flowline'), chartDir, { recursive: true });
  for (const name of readdirSync(join(repoRoot, 'functions'))) {
    const manifest = join(repoRoot, 'functions', name, 'function.yaml');
    if (!existsSync(manifest)) continue;
    mkdirSync(join(root, 'functions', name), { recursive: true });
    cpSync(manifest, join(root, 'functions', name, 'function.yaml'));
  }
  for (const file of readdirSync(join(chartDir, 'templates'), { recursive: true, encoding: 'utf8' })) {
    if (file.endsWith('.yaml') || file.endsWith('.tpl') || file.endsWith('.txt'))
      templatesBefore.set(file, readFileSync(join(chartDir, 'templates', file), 'utf8'));
  }

  mkdirSync(join(root, 'functions', 'wellhead-trend'), { recursive: true });
  writeFileSync(
    join(root, 'functions', 'wellhead-trend', 'function.yaml'),
    dump({
      name: 'wellhead-trend',
      subscribes: ['scada.telemetry.validated', 'scada.alarms'],
      publishes: ['production.well-status-changed'],
      needs: ['postgres'],
      startFrom: 'earliest',
      scaling: {
        minReplicas: 2,
        maxReplicas: 20,
        lagThreshold: 300,
        activationLagThreshold: 30,
        pollingIntervalSeconds: 10,
        cooldownPeriodSeconds: 60,
      },
      resources: { cpu: '300m', memory: '192Mi', memoryLimit: '384Mi' },
    }),
  );
  await generate(root);
}, 900_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a function folder added to a copy of the repository', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = renderChart(chartDir, [join(chartDir, 'ci', 'minimal-values.yaml')]);
  });

  it('is deployed: a Deployment running its folder as a Dapr app, with its manifest resources', () => {
    const deployment = findObject(objects, 'Deployment', 'wellhead-trend') as KubeObject & {
      spec: {
        template: {
          metadata: { annotations: Record<string, string> };
          spec: { containers: { args: string[]; resources: object; env: { name: string; value?: string }[] }[] };
        };
      };
    };
    expect(deployment).toBeDefined();
    const [container] = deployment.spec.template.spec.containers;
    expect(container?.args).toEqual(['functions/wellhead-trend']);
    expect(container?.resources).toEqual({ requests: { cpu: '300m', memory: '192Mi' }, limits: { memory: '384Mi' } });
    expect(deployment.spec.template.metadata.annotations['dapr.io/app-id']).toBe('wellhead-trend');
    const env = new Map(container?.env.map((e) => [e.name, e.value]));
    expect(env.get('DAPR_PUBSUB_NAME')).toBe('flowline-pubsub-from-earliest');
    expect(env.has('DATABASE_URL')).toBe(true); // needs: [postgres]
    expect(env.has('REDIS_URL')).toBe(false); // and not redis
    expect(findObject(objects, 'Service', 'wellhead-trend')).toBeDefined();
    expect(findObject(objects, 'PodDisruptionBudget', 'wellhead-trend')).toBeDefined();
  });

  it('is subscribed: a Subscription per topic, and the pub/sub, state store and resiliency are scoped to it', () => {
    for (const topic of ['scada.telemetry.validated', 'scada.alarms']) {
      const sub = findObject(objects, 'Subscription', `wellhead-trend-${topic.replaceAll('.', '-')}`) as KubeObject & {
        spec: object;
        scopes: string[];
      };
      expect(sub.spec).toEqual({
        pubsubname: 'flowline-pubsub-from-earliest',
        topic,
        routes: { default: `/dapr/events/${topic}` },
        deadLetterTopic: `${topic}.dlq`,
      });
      expect(sub.scopes).toEqual(['wellhead-trend']);
    }
    const scoped = (kind: string, name: string) => (findObject(objects, kind, name) as KubeObject & { scopes: string[] }).scopes;
    expect(scoped('Component', 'flowline-pubsub-from-earliest')).toContain('wellhead-trend');
    expect(scoped('Component', 'flowline-statestore')).toContain('wellhead-trend');
    expect(scoped('Resiliency', 'flowline')).toContain('wellhead-trend');
  });

  it('is autoscaled: a ScaledObject on its own consumer group, maxReplicas clamped to 6 partitions', () => {
    const so = findObject(objects, 'ScaledObject', 'wellhead-trend') as KubeObject & {
      spec: Record<string, unknown> & { triggers: { metadata: object }[] };
    };
    expect(so.spec).toMatchObject({
      minReplicaCount: 2,
      maxReplicaCount: 6,
      pollingInterval: 10,
      cooldownPeriod: 60,
      scaleTargetRef: { name: 'wellhead-trend' },
    });
    expect(so.spec.triggers.map((t) => t.metadata)).toEqual(
      ['scada.telemetry.validated', 'scada.alarms'].map((topic) => ({
        bootstrapServers: 'kafka.kafka.svc:9092',
        consumerGroup: 'wellhead-trend',
        topic,
        lagThreshold: '300',
        activationLagThreshold: '30',
        offsetResetPolicy: 'earliest',
      })),
    );
  });

  it('keeps every rendered object valid against its schema', () => {
    const check = createManifestCheck();
    expect(objects.flatMap(check)).toEqual([]);
  });

  it('needed no template edit', () => {
    for (const [file, content] of templatesBefore) expect(readFileSync(join(chartDir, 'templates', file), 'utf8'), file).toBe(content);
  });
});
