import { describe, expect, it } from 'vitest';
import { FunctionManifest } from '../../manifest.ts';
import { daprStatusOf, subscriptionsOf } from './subscriptions.ts';

describe('dapr subscriptions and answers', () => {
  const manifest = FunctionManifest.parse({
    name: 'persist',
    subscribes: ['scada.telemetry.validated', 'scada.alarms'],
    batch: { maxSize: 500, maxWaitMs: 200 },
  });

  it('subscribes each topic with its dead-letter topic, in bulk for batch functions', () => {
    expect(subscriptionsOf(manifest, 'pubsub', { bulk: true })).toEqual([
      {
        pubsubname: 'pubsub',
        topic: 'scada.telemetry.validated',
        route: '/dapr/events/scada.telemetry.validated',
        deadLetterTopic: 'scada.telemetry.validated.dlq',
        bulkSubscribe: { enabled: true, maxMessagesCount: 500, maxAwaitDurationMs: 200 },
      },
      {
        pubsubname: 'pubsub',
        topic: 'scada.alarms',
        route: '/dapr/events/scada.alarms',
        deadLetterTopic: 'scada.alarms.dlq',
        bulkSubscribe: { enabled: true, maxMessagesCount: 500, maxAwaitDurationMs: 200 },
      },
    ]);
    expect(subscriptionsOf(manifest, 'pubsub', { bulk: false })[0]).not.toHaveProperty('bulkSubscribe');
  });

  it('never answers SUCCESS for a failure it could not dead-letter itself', () => {
    expect(daprStatusOf({ kind: 'success' }, false)).toBe('SUCCESS');
    expect(daprStatusOf({ kind: 'redeliver', reason: 'x', attempts: 1 }, false)).toBe('RETRY');
    expect(daprStatusOf({ kind: 'dead-letter', reason: 'x', cause: 'permanent', attempts: 1 }, true)).toBe('SUCCESS');
    expect(daprStatusOf({ kind: 'dead-letter', reason: 'x', cause: 'permanent', attempts: 1 }, false)).toBe('DROP');
  });
});
