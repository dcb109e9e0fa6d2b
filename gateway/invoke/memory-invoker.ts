import type { BoundFunction } from '../../runtime/bound-function.ts';
import type { OutgoingEvent } from '../../runtime/deliver.ts';
import { invokeOnce } from '../../runtime/invoke.ts';
import { type FunctionInvoker, statusOfOutcome } from './function-invoker.ts';

/** Calls functions bound in this process (the memory host): what the runner's own POST /invoke does. */
export function memoryInvoker(functions: readonly BoundFunction[], send: (publishes: OutgoingEvent[]) => Promise<void>): FunctionInvoker {
  const byName = new Map(functions.map((f) => [f.manifest.name, f]));
  return {
    names: [...byName.keys()],
    async invoke(name, request) {
      const fn = byName.get(name);
      if (!fn) throw new Error(`no function "${name}" in this process`);
      const result = await invokeOnce(fn, request, send);
      return { status: statusOfOutcome(result.outcome), answer: result };
    },
  };
}
