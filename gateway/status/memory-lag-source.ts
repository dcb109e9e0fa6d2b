import type { MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import { consumerGroupOf, type FunctionManifest } from '../../runtime/manifest.ts';
import { deadLetterTopicOf } from '../../runtime/topics.ts';
import { boundsOf, type LagSource } from './lag-source.ts';

/** The embedded default: every function runs once, in this process, on the memory bus. */
export function memoryLagSource(bus: MemoryBus, manifests: readonly FunctionManifest[]): LagSource {
  return {
    async read() {
      return manifests.map((manifest) => ({
        function: manifest.name,
        lag: bus.lag(consumerGroupOf(manifest)),
        topics: [],
        replicas: { current: 1, ...boundsOf(manifest) },
        deadLetters: manifest.subscribes.reduce((n, topic) => n + bus.read(deadLetterTopicOf(topic)).length, 0),
      }));
    },
  };
}
