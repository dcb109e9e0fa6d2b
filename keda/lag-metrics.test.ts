import { describe, expect, it } from 'vitest';
import { partitionLagOf } from './kafka-scaler-formula.ts';
import type { FunctionLag } from './lag.ts';
import { createLagRegistry } from './lag-metrics.ts';

const settings = { lagThreshold: 100, activationLagThreshold: 10, offsetResetPolicy: 'earliest' as const };
const partitions = [
  { partition: 0, latestOffset: 250, committedOffset: 50 },
  { partition: 1, latestOffset: 70, committedOffset: undefined },
].map((p) => ({ ...p, lag: partitionLagOf(p, settings) }));

const results: FunctionLag[] = [
  {
    target: {
      function: 'persist',
      consumerGroup: 'persist',
      topics: ['scada.alarms'],
      scaling: {
        minReplicas: 1,
        maxReplicas: 6,
        lagThreshold: 100,
        activationLagThreshold: 10,
        pollingIntervalSeconds: 15,
        cooldownPeriodSeconds: 120,
      },
      ...settings,
    },
    topics: [{ topic: 'scada.alarms', partitions, trigger: { totalLag: 270, metric: 200, partitions: 2, active: true } }],
    minReplicas: 1,
    maxReplicas: 2,
    decision: { replicas: 2, proposal: 2, active: true, why: '' },
  },
];

describe('the lag exporter registry', () => {
  it('serves the partition lag, the KEDA metric and the replica target as Prometheus series', async () => {
    const registry = createLagRegistry(async () => results);
    const text = await registry.metrics();
    const labels = 'function="persist",consumer_group="persist",topic="scada.alarms"';
    expect(text).toContain(`flowline_consumer_group_lag{${labels},partition="0"} 200`);
    expect(text).toContain(`flowline_consumer_group_lag{${labels},partition="1"} 70`);
    expect(text).toContain(`flowline_consumer_group_committed_offset{${labels},partition="0"} 50`);
    expect(text).not.toContain(`flowline_consumer_group_committed_offset{${labels},partition="1"}`);
    expect(text).toContain(`flowline_topic_latest_offset{${labels},partition="1"} 70`);
    expect(text).toContain('flowline_keda_lag_metric{function="persist",topic="scada.alarms"} 200');
    expect(text).toContain('flowline_keda_trigger_active{function="persist",topic="scada.alarms"} 1');
    expect(text).toContain('flowline_lag_readable{function="persist",topic="scada.alarms"} 1');
    expect(text).toContain('flowline_keda_desired_replicas{function="persist"} 2');
    expect(text).toContain('flowline_keda_max_replicas{function="persist"} 2');
  });

  it('reads Kafka once per scrape, not once per series', async () => {
    let reads = 0;
    const registry = createLagRegistry(async () => {
      reads += 1;
      return results;
    });
    await registry.metrics();
    expect(reads).toBe(1);
  });
});
