import { describe, expect, it } from 'vitest';
import {
  desiredReplicasOf,
  hpaProposalOf,
  type KafkaTriggerSettings,
  kafkaTriggerMetricOf,
  type PartitionOffsets,
  partitionLagOf,
} from './kafka-scaler-formula.ts';

const latest: KafkaTriggerSettings = { lagThreshold: 100, activationLagThreshold: 10, offsetResetPolicy: 'latest' };
const earliest: KafkaTriggerSettings = { ...latest, offsetResetPolicy: 'earliest' };
const p = (partition: number, latestOffset: number, committedOffset?: number): PartitionOffsets => ({
  partition,
  latestOffset,
  committedOffset,
});

describe('partition lag, as KEDA counts it', () => {
  it('is the high watermark minus the committed offset', () => {
    expect(partitionLagOf(p(0, 150, 120), latest)).toBe(30);
    expect(partitionLagOf(p(0, 150, 150), latest)).toBe(0);
  });

  it('is 1 for a partition with no committed offset under latest, so the group is not thought idle', () => {
    expect(partitionLagOf(p(0, 5000), latest)).toBe(1);
  });

  it('is what the partition retains for a partition with no committed offset under earliest (KEDA 2.21)', () => {
    expect(partitionLagOf({ ...p(0, 5000), earliestOffset: 4200 }, earliest)).toBe(800);
    expect(partitionLagOf({ ...p(0, 5000), earliestOffset: 0 }, earliest)).toBe(5000);
    // Retention can move the start past an end read a moment earlier: never negative.
    expect(partitionLagOf({ ...p(0, 5000), earliestOffset: 5010 }, earliest)).toBe(0);
  });

  it('is the whole high watermark under earliest when the log start was not read, as KEDA falls back', () => {
    expect(partitionLagOf(p(0, 5000), earliest)).toBe(5000);
  });

  it('is 0 for a partition with no committed offset when scaleToZeroOnInvalidOffset is set', () => {
    expect(partitionLagOf(p(0, 5000), { ...earliest, scaleToZeroOnInvalidOffset: true })).toBe(0);
    expect(partitionLagOf(p(0, 5000), { ...latest, scaleToZeroOnInvalidOffset: true })).toBe(0);
  });

  it('is not clamped when the commit is ahead of the watermark (a recreated topic), as in KEDA', () => {
    expect(partitionLagOf(p(0, 10, 40), latest)).toBe(-30);
  });
});

describe('one Kafka trigger', () => {
  it('sums the partitions and caps the metric at partitions × lagThreshold', () => {
    const partitions = [p(0, 400, 0), p(1, 400, 100), p(2, 400)]; // 400 + 300 + 1
    expect(kafkaTriggerMetricOf(partitions, latest)).toEqual({ totalLag: 701, metric: 300, partitions: 3, active: true });
  });

  it('compares with Go integer division: 650 on 6 partitions at 100 is not capped (650/100 = 6, not > 6)', () => {
    const six = [0, 1, 2, 3, 4, 5].map((i) => p(i, i === 0 ? 150 : 100, 0));
    expect(kafkaTriggerMetricOf(six, latest).metric).toBe(650);
    const more = [0, 1, 2, 3, 4, 5].map((i) => p(i, i === 0 ? 200 : 100, 0));
    expect(kafkaTriggerMetricOf(more, latest).metric).toBe(600);
  });

  it('does not cap with allowIdleConsumers', () => {
    expect(kafkaTriggerMetricOf([p(0, 1000, 0)], { ...latest, allowIdleConsumers: true }).metric).toBe(1000);
  });

  it('is active only above activationLagThreshold, on the uncapped lag', () => {
    expect(kafkaTriggerMetricOf([p(0, 10, 0)], latest).active).toBe(false);
    expect(kafkaTriggerMetricOf([p(0, 11, 0)], latest).active).toBe(true);
    // Three partitions nobody committed under latest: 3 × 1, not above 10.
    expect(kafkaTriggerMetricOf([p(0, 900), p(1, 900), p(2, 900)], latest)).toMatchObject({ totalLag: 3, active: false });
  });
});

describe('the HPA proposal', () => {
  it('is ⌈metric / lagThreshold⌉', () => {
    expect(hpaProposalOf(1, 100)).toBe(1);
    expect(hpaProposalOf(100, 100)).toBe(1);
    expect(hpaProposalOf(101, 100)).toBe(2);
    expect(hpaProposalOf(0, 100)).toBe(0);
  });

  it('keeps the current replicas within the 10 % tolerance', () => {
    expect(hpaProposalOf(1050, 100, 10)).toBe(10); // ratio 1.05
    expect(hpaProposalOf(1050, 100, 5)).toBe(11); // ratio 2.1
    expect(hpaProposalOf(1150, 100, 10)).toBe(12); // ratio 1.15
  });
});

describe('the replica count KEDA and the HPA settle on', () => {
  const trigger = (metric: number, active = true) => ({ totalLag: metric, metric, partitions: 6, active, lagThreshold: 100 });

  it('scales an idle function with minReplicas 0 to zero', () => {
    expect(desiredReplicasOf([trigger(5, false)], { minReplicas: 0, maxReplicas: 6 })).toMatchObject({ replicas: 0, active: false });
  });

  it('holds an idle function at minReplicas', () => {
    expect(desiredReplicasOf([trigger(5, false)], { minReplicas: 2, maxReplicas: 6 })).toMatchObject({ replicas: 2 });
  });

  it('never goes below 1 while active, even with minReplicas 0', () => {
    expect(desiredReplicasOf([trigger(20)], { minReplicas: 0, maxReplicas: 6 }).replicas).toBe(1);
  });

  it('caps at maxReplicas', () => {
    expect(desiredReplicasOf([trigger(650)], { minReplicas: 1, maxReplicas: 6 })).toMatchObject({ replicas: 6, proposal: 7 });
  });

  it('takes the largest proposal of several triggers', () => {
    expect(desiredReplicasOf([trigger(120), trigger(420)], { minReplicas: 1, maxReplicas: 6 }).replicas).toBe(5);
  });
});
