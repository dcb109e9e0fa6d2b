import { describe, expect, it } from 'vitest';
import { desiredReplicasOf, kafkaTriggerMetricOf, partitionLagOf } from './kafka-scaler-formula.ts';
import type { FunctionLag, LagTarget } from './lag.ts';
import { lagTable } from './lag-table.ts';

const target: LagTarget = {
  function: 'validate',
  consumerGroup: 'validate',
  topics: ['scada.telemetry.raw', 'scada.gone'],
  scaling: {
    minReplicas: 1,
    maxReplicas: 6,
    lagThreshold: 100,
    activationLagThreshold: 10,
    pollingIntervalSeconds: 15,
    cooldownPeriodSeconds: 120,
  },
  lagThreshold: 100,
  activationLagThreshold: 10,
  offsetResetPolicy: 'latest',
};

function lagOf(offsets: [number, number | undefined][]): FunctionLag {
  const partitions = offsets.map(([latestOffset, committedOffset], partition) => {
    const p = { partition, latestOffset, committedOffset };
    return { ...p, lag: partitionLagOf(p, target) };
  });
  const trigger = kafkaTriggerMetricOf(partitions, target);
  return {
    target: { ...target, topics: ['scada.telemetry.raw'] },
    topics: [{ topic: 'scada.telemetry.raw', partitions, trigger }],
    minReplicas: 1,
    maxReplicas: 6,
    decision: desiredReplicasOf([{ ...trigger, lagThreshold: 100 }], { minReplicas: 1, maxReplicas: 6 }),
  };
}

describe('the lag table', () => {
  it('has a row per partition, marks partitions the group never committed, and sums up per function', () => {
    const text = lagTable([
      lagOf([
        [500, 200],
        [900, 100],
        [40, undefined],
      ]),
    ]);
    expect(text.split('\n')).toEqual([
      'FUNCTION  TOPIC                PARTITION  COMMITTED  LATEST  LAG',
      'validate  scada.telemetry.raw  0          200        500     300',
      'validate  scada.telemetry.raw  1          100        900     800',
      'validate  scada.telemetry.raw  2          -          40      1 (no commit, latest)',
      '',
      'validate: scada.telemetry.raw: lag 1101, KEDA metric 300 (capped at 3 partitions × 100) → 3 replicas (active; ⌈lag / lagThreshold⌉ = 3; min 1, max 6, lagThreshold 100, activation > 10)',
    ]);
  });

  it('says when KEDA cannot read a topic, and what it does then', () => {
    const fn: FunctionLag = {
      ...lagOf([[5, 5]]),
      target,
      topics: [
        ...lagOf([[5, 5]]).topics,
        { topic: 'scada.gone', partitions: [], trigger: undefined, error: 'This server does not host this topic-partition' },
      ],
      decision: undefined,
    };
    const text = lagTable([fn]);
    expect(text).toContain(
      'validate  scada.gone           -          -          -       unreadable: This server does not host this topic-partition',
    );
    expect(text).toContain('scada.gone: unreadable → KEDA cannot read the lag; after 3 failed polls it applies its fallback');
  });
});
