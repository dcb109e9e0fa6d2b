import type { MemoryBus } from '../../runtime/hosts/memory/bus.ts';
import { consumerGroupOf, type FunctionManifest } from '../../runtime/manifest.ts';
import { deadLetterTopicOf } from '../../runtime/topics.ts';
import { boundsOf, type LagSource } from './lag-source.ts';

/** The embedded default: every function runs once, in this process, on the memory bus (the set may change under `npm run dev`). */
export function memoryLagSource(bus: MemoryBus, manifests: readonly FunctionManifest[] | (() => readonly FunctionManifest[])): LagSource {
  const current = typeof manifests === 'function' ? manifests : () => manifests;
  return {
    async read() {
      return current().map((manifest) => ({
        function: manifest.name,
        lag: bus.lag(consumerGroupOf(manifest)),
        topics: [],
        replicas: { current: 1, ...boundsOf(manifest) },
        deadLetters: manifest.subscribes.reduce((n, topic) => n + bus.read(deadLetterTopicOf(topic)).length, 0),
      }));
    },
  };
}
