import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeMetrics } from '../../edge-adapter/ops/edge-metrics.ts';
import { createLagRegistry } from '../../keda/lag-metrics.ts';
import { repoRoot } from '../../local-dev/services/paths.ts';
import { installPromtool } from '../../local-dev/services/promtool.ts';
import { createRuntimeMetrics } from '../../runtime/metrics.ts';
import { findObject, helm, type KubeObject, renderChart } from '../support/helm.ts';

/**
 * The chart's PrometheusRule, rendered by a real helm and run by Prometheus' own rule
 * engine: `promtool check rules` on its groups, and `promtool test rules` on synthetic
 * series, each alert once where it must fire (after its `for`) and beside series where it
 * must not (below the threshold, another namespace, another HPA). Real: helm, promtool
 * 3.16 (built by local-dev/services/promtool.ts). Synthetic: the series, written here in
 * the shape the runtime, the lag exporter, the edge adapter and kube-state-metrics export.
 */
const chartDir = join(repoRoot, 'charts', 'flowline');
const minimal = join(chartDir, 'ci', 'minimal-values.yaml');
const ns = 'flowline';

interface PrometheusRule extends KubeObject {
  spec: { groups: { name: string; rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] };
}

interface AlertCheck {
  at: string;
  alert: string;
  fires: { labels: Record<string, string>; annotations: Record<string, string> }[];
}

interface PromtoolTest {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
}

const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}{${Object.entries({ namespace: ns, ...labels })
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`,
  values,
});

const promtoolTest = (input: PromtoolTest['input_series'], checks: AlertCheck[]): PromtoolTest => ({
  interval: '1m',
  input_series: input,
  alert_rule_test: checks.map((c) => ({
    eval_time: c.at,
    alertname: c.alert,
    exp_alerts: c.fires.map((f) => ({ exp_labels: f.labels, exp_annotations: f.annotations })),
  })),
});

let dir: string;
let promtool: string;
let rule: PrometheusRule;

/** promtool in the folder of the rules file; its whole output, and whether it passed. */
function runPromtool(args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** `promtool test rules` of one test group against the rendered rules. */
function testRules(name: string, test: PromtoolTest): { ok: boolean; output: string } {
  const file = `${name}.test.yaml`;
  writeFileSync(join(dir, file), dump({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: [test] }, { lineWidth: -1 }));
  return runPromtool(['test', 'rules', file]);
}

beforeAll(() => {
  helm(['version']); // builds helm on the first run on a machine (a few minutes)
  promtool = installPromtool(); // builds promtool on the first run (about 5 minutes)
  const objects = renderChart(chartDir, [minimal], { namespace: ns, set: ['metrics.prometheusRule.enabled=true'] });
  rule = findObject(objects, 'PrometheusRule', 'flowline') as PrometheusRule;
  dir = mkdtempSync(join(tmpdir(), 'flowline-alerts-'));
  writeFileSync(join(dir, 'rules.yaml'), dump({ groups: rule.spec.groups }, { lineWidth: -1 }));
}, 900_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('metrics.prometheusRule', () => {
  it('is off by default, like the ServiceMonitor', () => {
    expect(renderChart(chartDir, [minimal]).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
  });

  it('has the five alerts, each with the severity of its values, and passes promtool check rules', () => {
    const rules = rule.spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => [r.alert, r.labels.severity])).toEqual([
      ['FlowlineConsumerLagHigh', 'warning'],
      ['FlowlineDeadLetters', 'warning'],
      ['FlowlineHandlerSlow', 'warning'],
      ['FlowlineEdgeBufferStale', 'warning'],
      ['FlowlineReplicasAtMax', 'warning'],
    ]);
    const check = runPromtool(['check', 'rules', 'rules.yaml']);
    expect(check.output).toContain('SUCCESS: 5 rules found');
    expect(check.ok).toBe(true);
  });

  it('uses only series Flowline exports (and kube-state-metrics’ HPA series)', () => {
    const used = new Set(rule.spec.groups.flatMap((g) => g.rules).flatMap((r) => r.expr.match(/\b(flowline|kube)_[a-z_]+/g) ?? []));
    const live = {
      bufferDepth: () => 0,
      bufferCapacity: () => 0,
      bufferBytes: () => 0,
      bufferMinutes: () => 0,
      sinkUp: () => true,
      devices: () => [],
    };
    const exported = [
      createRuntimeMetrics({ processMetrics: false }).registry,
      createLagRegistry(async () => []),
      createEdgeMetrics(live, { processMetrics: false }).registry,
    ].flatMap((r) => r.getMetricsAsArray().flatMap((m) => [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]));
    const kubeStateMetrics = ['kube_horizontalpodautoscaler_status_current_replicas', 'kube_horizontalpodautoscaler_spec_max_replicas'];
    expect([...used].filter((name) => !exported.includes(name) && !kubeStateMetrics.includes(name))).toEqual([]);
  });

  it('fires FlowlineConsumerLagHigh after 5 minutes above 1000 messages behind (summed over partitions), not below', () => {
    const lag = (fn: string, partition: string, values: string, namespace = ns) =>
      series(
        'flowline_consumer_group_lag',
        { namespace, function: fn, consumer_group: fn, topic: 'scada.telemetry.raw', partition },
        values,
      );
    const validate = { namespace: ns, function: 'validate', topic: 'scada.telemetry.raw', severity: 'warning' };
    const result = testRules(
      'lag',
      promtoolTest(
        [
          lag('validate', '0', '600x20'),
          lag('validate', '1', '600x20'), // 1200 in all: above
          lag('persist', '0', '500x20'),
          lag('persist', '1', '500x20'), // 1000: not above
          lag('validate', '0', '99999x20', 'another-release'),
        ],
        [
          { at: '4m', alert: 'FlowlineConsumerLagHigh', fires: [] },
          {
            at: '6m',
            alert: 'FlowlineConsumerLagHigh',
            fires: [
              {
                labels: validate,
                annotations: {
                  summary: 'validate is 1200 messages behind on scada.telemetry.raw',
                  description:
                    'The consumer group of validate has been more than 1000 messages behind for 5m. `flowline lag` shows what KEDA does about it; scale consumers if it is pinned at its maximum.',
                },
              },
            ],
          },
        ],
      ),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('fires FlowlineDeadLetters for a dead letter within 10 minutes, the first of a series included, and not for old ones', () => {
    const dlq = (fn: string, topic: string, cause: string, values: string) =>
      series('flowline_dead_letters_total', { function: fn, topic, cause, pod: `${fn}-0` }, values);
    const fires = (fn: string, topic: string, cause: string) => ({
      labels: { namespace: ns, function: fn, topic, cause, severity: 'warning' },
      annotations: {
        summary: `${fn} dead-lettered events from ${topic} (${cause})`,
        description: `Events of ${topic} went to ${topic}.dlq within 10m. Read them with \`flowline dlq show ${topic}\`, and \`flowline dlq replay\` them once the cause is fixed.`,
      },
    });
    const result = testRules(
      'dead-letters',
      promtoolTest(
        [
          dlq('validate', 'scada.telemetry.raw', 'invalid', '3x20 4x20'), // one more at 21m
          dlq('alarm', 'scada.telemetry.validated', 'permanent', '_x20 1x20'), // a new series at 21m: increase() sees nothing
          dlq('persist', 'scada.telemetry.validated', 'exhausted', '5x40'), // old dead letters only
        ],
        [
          { at: '15m', alert: 'FlowlineDeadLetters', fires: [] },
          {
            at: '25m',
            alert: 'FlowlineDeadLetters',
            fires: [fires('validate', 'scada.telemetry.raw', 'invalid'), fires('alarm', 'scada.telemetry.validated', 'permanent')],
          },
          { at: '35m', alert: 'FlowlineDeadLetters', fires: [] },
        ],
      ),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('fires FlowlineHandlerSlow after 10 minutes of a p99 above 2 s, not for a function below it', () => {
    // Per-minute cumulative counts: 60 calls a minute, all in one bucket, so the p99 is
    // histogram_quantile's interpolation inside it: 2.5 + 0.99 × 2.5 = 4.975 s (validate), 0.995 s (persist).
    const buckets = (fn: string, from: string) =>
      ['0.5', '1', '2.5', '5', '10', '+Inf'].map((le) =>
        series(
          'flowline_handler_duration_seconds_bucket',
          { function: fn, mode: 'event', le },
          Number(le) > Number(from) || le === '+Inf' ? '0+60x30' : '0x30',
        ),
      );
    const result = testRules(
      'handler-latency',
      promtoolTest(
        [...buckets('validate', '2.5'), ...buckets('persist', '0.5')],
        [
          { at: '8m', alert: 'FlowlineHandlerSlow', fires: [] },
          {
            at: '15m',
            alert: 'FlowlineHandlerSlow',
            fires: [
              {
                labels: { namespace: ns, function: 'validate', severity: 'warning' },
                annotations: {
                  summary: 'validate: 99th percentile handler time 4.975s',
                  description:
                    "The slowest 1% of validate's handler calls took more than 2s for 10m. Check its dependencies (Redis, PostgreSQL) and its logs.",
                },
              },
            ],
          },
        ],
      ),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('fires FlowlineEdgeBufferStale after 15 minutes of samples held with the sink down, not for a backlog being sent', () => {
    const edge = (pod: string, depth: string, sinkUp: string) => [
      series('flowline_edge_buffer_depth', { pod }, depth),
      series('flowline_edge_sink_up', { pod }, sinkUp),
    ];
    const result = testRules(
      'edge-buffer',
      promtoolTest(
        [
          ...edge('edge-a', '500x40', '0x40'), // Kafka unreachable, samples waiting
          ...edge('edge-b', '500x40', '1x40'), // a backlog, draining
          ...edge('edge-c', '0x40', '0x40'), // unreachable, nothing read
        ],
        [
          { at: '10m', alert: 'FlowlineEdgeBufferStale', fires: [] },
          {
            at: '20m',
            alert: 'FlowlineEdgeBufferStale',
            fires: [
              {
                labels: { namespace: ns, pod: 'edge-a', severity: 'warning' },
                annotations: {
                  summary: 'edge-a holds 500 samples it cannot send',
                  description:
                    "The edge adapter has not reached Kafka for 15m and buffers its samples: the oldest is at least that old. Check Kafka and the network from the site; past the buffer's bound, samples are dropped.",
                },
              },
            ],
          },
        ],
      ),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('fires FlowlineReplicasAtMax after 15 minutes at maxReplicaCount, for this release’s functions only', () => {
    const hpa = (name: string, current: string, max: string) => [
      series('kube_horizontalpodautoscaler_status_current_replicas', { horizontalpodautoscaler: name, job: 'kube-state-metrics' }, current),
      series('kube_horizontalpodautoscaler_spec_max_replicas', { horizontalpodautoscaler: name, job: 'kube-state-metrics' }, max),
    ];
    const result = testRules(
      'replicas-at-max',
      promtoolTest(
        [
          ...hpa('keda-hpa-validate', '4x40', '4x40'),
          ...hpa('keda-hpa-persist', '2x40', '4x40'),
          ...hpa('keda-hpa-someone-else', '3x40', '3x40'),
        ],
        [
          { at: '10m', alert: 'FlowlineReplicasAtMax', fires: [] },
          {
            at: '20m',
            alert: 'FlowlineReplicasAtMax',
            fires: [
              {
                labels: { namespace: ns, horizontalpodautoscaler: 'keda-hpa-validate', function: 'validate', severity: 'warning' },
                annotations: {
                  summary: 'validate runs at its maximum of 4 replicas',
                  description:
                    "KEDA has kept validate at maxReplicaCount for 15m and can add no consumer. Raise functions.overrides.validate.scaling.maxReplicas (up to the topic's partitions) or add partitions.",
                },
              },
            ],
          },
        ],
      ),
    );
    expect(result.output).toContain('SUCCESS');
    expect(result.ok, result.output).toBe(true);
  });

  it('takes its thresholds from values: a lag threshold of 1500 leaves 1200 alone', () => {
    const objects = renderChart(chartDir, [minimal], {
      namespace: ns,
      set: [
        'metrics.prometheusRule.enabled=true',
        'metrics.prometheusRule.alerts.consumerLag.threshold=1500',
        'metrics.prometheusRule.alerts.edgeBuffer.enabled=false',
      ],
    });
    const rules = (findObject(objects, 'PrometheusRule', 'flowline') as PrometheusRule).spec.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).not.toContain('FlowlineEdgeBufferStale');
    expect(rules.find((r) => r.alert === 'FlowlineConsumerLagHigh')?.expr).toMatch(/> 1500$/);
  });

  it('refuses a threshold of the wrong kind, naming the key', () => {
    const result = helm([
      'template',
      'flowline',
      chartDir,
      '--values',
      minimal,
      '--set',
      'metrics.prometheusRule.alerts.consumerLag.for=5 minutes',
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/prometheusRule\/alerts\/consumerLag\/for/);
  });
});
