/**
 * `npm start`: the embedded default. Every function under functions/ runs in this one
 * process on the memory host, with an in-process Redis and an embedded PostgreSQL
 * (PGlite), fed by a built-in telemetry source of simulated wells. Nothing to install.
 * `npm run dev` is the same stack with functions reloaded as their files change.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { startMemoryHost } from '../runtime/hosts/memory/host.ts';
import { type LoadedFunction, loadFunction } from '../runtime/load-function.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { readEmbeddedEnv } from './embedded-env.ts';
import { embeddedBinder, openEmbeddedResources } from './embedded-resources.ts';
import { startEmbeddedStack, stopOnSignals } from './embedded-stack.ts';
import { functionFolderNames } from './function-folders.ts';
import { repoRoot } from './services/paths.ts';

assertNodeVersion();
const { env, rates } = readEmbeddedEnv();
const log = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, base: { service: 'flowline' } });
const functionsDir = join(repoRoot, 'functions');
const loaded: LoadedFunction[] = [];
for (const name of functionFolderNames(functionsDir)) loaded.push(await loadFunction(join(functionsDir, name)));

const resources = await openEmbeddedResources(
  loaded.map((f) => f.manifest),
  env,
  'start',
);
const metrics = createRuntimeMetrics();
const bus = new MemoryBus({ partitions: 3 });
const functions = await Promise.all(loaded.map(embeddedBinder(resources, log, metrics)));
const host = startMemoryHost(bus, functions);
const stack = await startEmbeddedStack({
  run: 'start',
  env,
  rates,
  log,
  bus,
  metrics,
  resources,
  functions: () => functions,
  send: (publishes) => host.publish(publishes),
  title: 'Flowline is running on the embedded default (memory host, in-process Redis, embedded PostgreSQL).',
});

stopOnSignals([() => stack.stop(), () => host.stop(), () => resources.close()]);
