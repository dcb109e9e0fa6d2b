import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { readFunctionLag } from './lag.ts';

/**
 * The order of the two reads, which a real broker cannot be made to interleave on cue:
 * this stand-in is a one-partition log whose consumer keeps up, 600 messages further on
 * at every request (tests/integration/lag-kafka.test.ts reads a real broker).
 */
function busyLog(): Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'> {
  let end = 1_000;
  const tick = () => {
    end += 600;
    return end;
  };
  return {
    fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: String(tick()), metadata: null }] }],
    fetchTopicOffsets: async () => {
      const high = String(tick());
      return [{ partition: 0, offset: high, high, low: '0' }];
    },
  };
}

describe('flowline lag on a group that keeps up with a busy topic', () => {
  it('never shows a negative lag: the commit is read before the watermark', async () => {
    const lag = await readFunctionLag(busyLog() as Admin, {
      function: 'alarm',
      consumerGroup: 'alarm',
      topics: ['t'],
      scaling: {
        minReplicas: 1,
        maxReplicas: 3,
        lagThreshold: 100,
        activationLagThreshold: 10,
        pollingIntervalSeconds: 15,
        cooldownPeriodSeconds: 120,
      },
      lagThreshold: 100,
      activationLagThreshold: 10,
      offsetResetPolicy: 'latest',
    });
    expect(lag.topics[0]?.partitions.map((p) => p.lag)).toEqual([600]);
  });
});
