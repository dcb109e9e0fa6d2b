/**
 * `npm run dev`: the embedded stack of `npm start`, with the functions reloaded as you work.
 * A saved file under functions/<name>/ reloads that function alone (its in-flight events
 * finish and commit, the new code resumes from there, the others keep running); a new folder
 * starts, a deleted one stops. New code that fails to load leaves the old version running.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { loadManifest } from '../runtime/load-function.ts';
import type { FunctionManifest } from '../runtime/manifest.ts';
import { createRuntimeMetrics } from '../runtime/metrics.ts';
import { assertNodeVersion } from '../runtime/node-version.ts';
import { toOutbound } from '../runtime/settle.ts';
import { readEmbeddedEnv } from './embedded-env.ts';
import { embeddedBinder, openEmbeddedResources } from './embedded-resources.ts';
import { startEmbeddedStack, stopOnSignals } from './embedded-stack.ts';
import { functionFolderNames } from './function-folders.ts';
import { describeNotice } from './reload-notice.ts';
import { startReloadingHost } from './reloading-host.ts';
import { repoRoot } from './services/paths.ts';

assertNodeVersion();
const { env, rates } = readEmbeddedEnv();
const log = pino({ level: env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, base: { service: 'flowline' } });
const functionsDir = join(repoRoot, 'functions');
const time = () => new Date().toISOString().slice(11, 19);

// Resources for what the manifests need now (manifests alone: no function code is imported
// before the reload hook is in place). A broken manifest is the reloader's to report.
const manifests = await Promise.allSettled(functionFolderNames(functionsDir).map((name) => loadManifest(join(functionsDir, name))));
const resources = await openEmbeddedResources(
  manifests.filter((m): m is PromiseFulfilledResult<FunctionManifest> => m.status === 'fulfilled').map((m) => m.value),
  env,
  'dev',
);
const metrics = createRuntimeMetrics();
const bus = new MemoryBus({ partitions: 3 });
const host = await startReloadingHost({
  functionsDir,
  bus,
  bind: embeddedBinder(resources, log, metrics),
  notify: (notice) => console.log(`[${time()}] ${describeNotice(notice)}`),
  onWatchError: (error) => console.error(`[${time()}] stopped watching functions/ (${error.message}); restart npm run dev`),
});
const stack = await startEmbeddedStack({
  run: 'dev',
  env,
  rates,
  log,
  bus,
  metrics,
  resources,
  functions: () => host.functions(),
  send: async (publishes) => bus.publish(publishes.map(toOutbound)),
  title: 'Flowline dev: the embedded stack, and each function reloads when a file of its folder changes.',
});

stopOnSignals([() => stack.stop(), () => host.stop(), () => resources.close()]);
