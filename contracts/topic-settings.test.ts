import { describe, expect, it } from 'vitest';
import { declaredTopicSettings, topicConfig, topicSettings } from './topic-settings.ts';
import { topics } from './topics.ts';

describe('topic settings', () => {
  it('declares every topic of the contracts', () => {
    expect(Object.keys(topicSettings).sort()).toEqual(Object.keys(topics).sort());
  });

  it("keeps seed 000's partitions, replication and retention", () => {
    expect(topicSettings['scada.telemetry.raw']).toEqual({ partitions: 6, replication: 3, retentionHours: 168 });
    expect(topicSettings['scada.telemetry.validated']).toEqual({ partitions: 6, replication: 3, retentionHours: 720 });
    expect(topicSettings['scada.alarms']).toEqual({ partitions: 3, replication: 3, retentionHours: 2160 });
    expect(topicSettings['scada.commands']).toEqual({ partitions: 3, replication: 3, retentionHours: 24 });
    expect(topicSettings['system.audit-log']).toEqual({ partitions: 3, replication: 3, retentionHours: 4320 });
  });

  it('keeps dead letters at least 30 days, and as long as their source', () => {
    expect(declaredTopicSettings('scada.commands.dlq')?.retentionHours).toBe(720);
    expect(declaredTopicSettings('system.audit-log.dlq')?.retentionHours).toBe(4320);
    expect(declaredTopicSettings('test.unknown')).toBeUndefined();
  });

  it('asks two in-sync replicas of three, and caps replication at the brokers there are', () => {
    const raw = topicSettings['scada.telemetry.raw'];
    expect(topicConfig(raw, 3)).toEqual({ replication: 3, configs: { 'retention.ms': '604800000', 'min.insync.replicas': '2' } });
    expect(topicConfig(raw, 1)).toEqual({ replication: 1, configs: { 'retention.ms': '604800000', 'min.insync.replicas': '1' } });
  });
});
