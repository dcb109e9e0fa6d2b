import { join } from 'node:path';
import type { BoundFunction } from '../runtime/bound-function.ts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import { defaultStopGraceMs, type FunctionOnBus, runOnBus } from '../runtime/hosts/memory/function-on-bus.ts';
import { type LoadedFunction, loadFunction } from '../runtime/load-function.ts';
import { functionFolderNames, hasManifest } from './function-folders.ts';
import { reasonOf } from './load-failure.ts';
import type { ReloadHooks } from './reload-hooks.ts';
import type { ReloadNotice } from './reload-notice.ts';

export interface FunctionReloaderOptions {
  /** The resolve hook for the functions folder: without it a reload would keep the handler's helpers stale. */
  hooks: ReloadHooks;
  bus: MemoryBus;
  /** Binds a loaded function to this process's resources (its setup runs here). */
  bind: (loaded: LoadedFunction) => Promise<BoundFunction>;
  notify: (notice: ReloadNotice) => void;
  /** How long a stopping version may take over its in-flight events before its retries are cut short. */
  stopGraceMs?: number;
}

export interface FunctionReloader {
  /** Brings the named functions (or every folder) in line with their folders: add, reload or remove. */
  refresh(names: Iterable<string> | 'all'): Promise<void>;
  /** The versions running now. */
  running(): BoundFunction[];
  stop(): Promise<void>;
}

interface Running {
  bound: BoundFunction;
  run: FunctionOnBus;
}

/**
 * Runs every function folder on the memory bus and swaps one function at a time for the
 * code on disk. A new version is loaded and bound (setup included) while the old one keeps
 * consuming; only then does the old one stop (its in-flight chunk finishes and commits) and
 * the new one start from the group's committed offsets. If the new version fails anywhere,
 * the old one keeps running. Work on one function is serialised; functions do not wait for
 * each other.
 */
export function createFunctionReloader(options: FunctionReloaderOptions): FunctionReloader {
  const { bus, bind, notify } = options;
  const functionsDir = options.hooks.functionsDir;
  const graceMs = options.stopGraceMs ?? defaultStopGraceMs;
  const current = new Map<string, Running>();
  const queues = new Map<string, Promise<void>>();
  const waiting = new Set<string>(); // queued and not begun: a later change is already covered
  let version = 0;
  let stopped = false;

  async function reconcile(name: string): Promise<void> {
    const previous = current.get(name);
    if (!hasManifest(functionsDir, name)) {
      if (!previous) return;
      current.delete(name);
      await previous.run.stop({ graceMs });
      notify({ kind: 'removed', name });
      return;
    }
    const started = performance.now();
    let bound: BoundFunction;
    try {
      bound = await bind(await loadFunction(join(functionsDir, name), { version: ++version }));
    } catch (error) {
      notify({ kind: 'failed', name, reason: reasonOf(error, functionsDir), previousKeepsRunning: previous !== undefined });
      return;
    }
    if (previous) await previous.run.stop({ graceMs });
    try {
      current.set(name, { bound, run: runOnBus(bus, bound) });
    } catch (error) {
      // Refused at start (a tick without Redis): the old version takes its group back.
      if (previous) current.set(name, { bound: previous.bound, run: runOnBus(bus, previous.bound) });
      else current.delete(name);
      notify({ kind: 'failed', name, reason: reasonOf(error, functionsDir), previousKeepsRunning: previous !== undefined });
      return;
    }
    notify({ kind: previous ? 'reloaded' : 'added', name, ms: Math.round(performance.now() - started) });
  }

  function enqueue(name: string): Promise<void> {
    const queued = queues.get(name);
    if (waiting.has(name) && queued) return queued;
    waiting.add(name);
    const next = (queued ?? Promise.resolve())
      .then(() => {
        waiting.delete(name);
        return stopped ? undefined : reconcile(name);
      })
      .catch((error: unknown) => {
        // Stopping the old version or restarting it failed: say so, and keep the queue going.
        notify({ kind: 'failed', name, reason: reasonOf(error, functionsDir), previousKeepsRunning: current.has(name) });
      });
    queues.set(name, next);
    return next;
  }

  return {
    async refresh(names) {
      const list = names === 'all' ? new Set([...functionFolderNames(functionsDir), ...current.keys()]) : new Set(names);
      await Promise.all([...list].map(enqueue));
    },
    running: () => [...current.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, r]) => r.bound),
    async stop() {
      stopped = true;
      await Promise.all(queues.values());
      await Promise.all([...current.values()].map((r) => r.run.stop({ graceMs: 0 })));
      current.clear();
    },
  };
}
