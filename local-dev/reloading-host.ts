import type { BoundFunction } from '../runtime/bound-function.ts';
import type { MemoryBus } from '../runtime/hosts/memory/bus.ts';
import type { LoadedFunction } from '../runtime/load-function.ts';
import { createFunctionReloader } from './function-reloader.ts';
import { watchFunctions } from './function-watcher.ts';
import { registerReloadHooks } from './reload-hooks.ts';
import type { ReloadNotice } from './reload-notice.ts';

export interface ReloadingHost {
  /** The function versions running now. */
  functions(): BoundFunction[];
  stop(): Promise<void>;
}

/**
 * `npm run dev`'s host: every function folder on the memory bus, each reloaded alone when
 * a file of its folder changes, new folders added and deleted ones stopped, without a
 * restart. Resolves once the folders present at the start have been tried.
 */
export async function startReloadingHost(options: {
  functionsDir: string;
  bus: MemoryBus;
  bind: (loaded: LoadedFunction) => Promise<BoundFunction>;
  notify: (notice: ReloadNotice) => void;
  /** Quiet time that ends a burst of editor writes. */
  debounceMs?: number;
  onWatchError?: (error: Error) => void;
}): Promise<ReloadingHost> {
  // Before any function module is imported: from here on, a reload re-evaluates its whole folder.
  const hooks = registerReloadHooks(options.functionsDir);
  const reloader = createFunctionReloader({ hooks, bus: options.bus, bind: options.bind, notify: options.notify });
  // Watch first, so nothing written while the first versions load goes unnoticed.
  const watcher = watchFunctions(hooks.functionsDir, (changes) => void reloader.refresh(changes), {
    debounceMs: options.debounceMs ?? 100,
    ...(options.onWatchError ? { onError: options.onWatchError } : {}),
  });
  await reloader.refresh('all');
  return {
    functions: () => reloader.running(),
    async stop() {
      watcher.close();
      await reloader.stop();
      hooks.deregister();
    },
  };
}
