import type { Admin } from 'kafkajs';

/** A function's consumer group and the topics it reads. */
export interface Subscription {
  group: string;
  topics: readonly string[];
}

/** Lag of one group on one topic: the topic's end offsets minus what the group has committed, summed over partitions. */
export type LagByGroupTopic = Record<string, number>;
const keyOf = (group: string, topic: string) => `${group} ← ${topic}`;

/** Every group's lag on every topic it reads, as the broker sees it (what KEDA scales on). */
export async function readLag(admin: Admin, subscriptions: readonly Subscription[]): Promise<LagByGroupTopic> {
  const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
  const ends = new Map<string, Map<number, number>>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends.set(topic, new Map(offsets.map((p) => [p.partition, Number(p.high)])));
  }
  const out: LagByGroupTopic = {};
  for (const { group, topics: own } of subscriptions) {
    const committed = await admin.fetchOffsets({ groupId: group, topics: [...own] });
    for (const { topic, partitions } of committed) {
      const end = ends.get(topic) ?? new Map<number, number>();
      let lag = 0;
      for (const [partition, high] of end) {
        const at = Number(partitions.find((p) => p.partition === partition)?.offset ?? -1);
        // -1: nothing committed yet; the group starts from the end (the bench set it there), so count nothing.
        if (at >= 0) lag += Math.max(0, high - at);
      }
      out[keyOf(group, topic)] = lag;
    }
  }
  return out;
}

/** The peak lag of each group and topic over a round, read every second. */
export interface LagWatch {
  peaks(): LagByGroupTopic;
  stop(): Promise<void>;
}

export function watchLag(admin: Admin, subscriptions: readonly Subscription[]): LagWatch {
  const peak: LagByGroupTopic = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const [key, lag] of Object.entries(await readLag(admin, subscriptions))) peak[key] = Math.max(peak[key] ?? 0, lag);
      } catch {
        // A read that fails (a rebalance, a broker busy) is skipped: the next second tells.
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  })();
  return {
    peaks: () => ({ ...peak }),
    async stop() {
      running = false;
      await loop;
    },
  };
}
