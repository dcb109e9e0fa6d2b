import type { Admin } from 'kafkajs';
import { lagTargetOf, readFunctionLag } from '../../keda/lag.ts';
import type { FunctionManifest } from '../../runtime/manifest.ts';
import { deadLetterTopicOf } from '../../runtime/topics.ts';
import type { LagReading, LagSource } from './lag-source.ts';

/**
 * Reads each function's consumer-group offsets as KEDA does (keda/lag.ts) and the
 * replica count KEDA's formula leads to; dead letters are the high watermarks of the
 * `.dlq` topics.
 */
export function kafkaLagSource(admin: Admin, manifests: readonly FunctionManifest[]): LagSource {
  let connected: Promise<void> | undefined;
  return {
    async read() {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      return Promise.all(manifests.map((manifest) => readOne(admin, manifest)));
    },
  };
}

async function readOne(admin: Admin, manifest: FunctionManifest): Promise<LagReading> {
  const [lag, deadLetters] = await Promise.all([readFunctionLag(admin, lagTargetOf(manifest)), countDeadLetters(admin, manifest)]);
  const unreadable = lag.topics.find((t) => t.error);
  return {
    function: manifest.name,
    lag: unreadable ? undefined : lag.topics.reduce((n, t) => n + (t.trigger?.totalLag ?? 0), 0),
    topics: lag.topics.map((t) => ({ topic: t.topic, lag: t.trigger?.totalLag })),
    replicas: { desired: lag.decision?.replicas, min: lag.minReplicas, max: lag.maxReplicas },
    deadLetters,
    ...(unreadable ? { error: `${unreadable.topic}: ${unreadable.error}` } : {}),
  };
}

async function countDeadLetters(admin: Admin, manifest: FunctionManifest): Promise<number | undefined> {
  const counts = await Promise.all(
    manifest.subscribes.map(async (topic) => {
      try {
        const offsets = await admin.fetchTopicOffsets(deadLetterTopicOf(topic));
        return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
      } catch {
        return 0; // no dead-letter topic yet: nothing was dead-lettered
      }
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
