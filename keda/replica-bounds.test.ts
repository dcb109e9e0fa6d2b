import { describe, expect, it } from 'vitest';
import { replicaBoundsOf } from './replica-bounds.ts';

const scaling = {
  minReplicas: 1,
  maxReplicas: 12,
  lagThreshold: 100,
  activationLagThreshold: 10,
  pollingIntervalSeconds: 15,
  cooldownPeriodSeconds: 120,
};
const partitions = { 'scada.telemetry.raw': 6, 'scada.alarms': 3 };

describe('replica bounds of a ScaledObject', () => {
  it('clamps maxReplicas to the partitions of the subscribed topic', () => {
    expect(replicaBoundsOf(scaling, ['scada.telemetry.raw'], partitions)).toMatchObject({
      minReplicas: 1,
      maxReplicas: 6,
      partitionLimit: 6,
    });
  });

  it('keeps a maxReplicas already below the partitions', () => {
    expect(replicaBoundsOf({ ...scaling, maxReplicas: 2 }, ['scada.telemetry.raw'], partitions).maxReplicas).toBe(2);
  });

  it('uses the largest subscribed topic when there are several', () => {
    expect(replicaBoundsOf(scaling, ['scada.alarms', 'scada.telemetry.raw'], partitions).maxReplicas).toBe(6);
  });

  it('does not clamp when a subscribed topic has no known partition count', () => {
    expect(replicaBoundsOf(scaling, ['scada.alarms', 'new.topic'], partitions)).toMatchObject({
      maxReplicas: 12,
      partitionLimit: undefined,
      unknownTopics: ['new.topic'],
    });
  });

  it('lowers minReplicas to the clamped maximum', () => {
    expect(replicaBoundsOf({ ...scaling, minReplicas: 5 }, ['scada.alarms'], partitions)).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
  });
});
