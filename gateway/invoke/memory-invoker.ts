import type { BoundFunction } from '../../runtime/bound-function.ts';
import type { OutgoingEvent } from '../../runtime/deliver.ts';
import { invokeOnce } from '../../runtime/invoke.ts';
import { type FunctionInvoker, statusOfOutcome } from './function-invoker.ts';

/**
 * Calls functions bound in this process (the memory host): what the runner's own POST /invoke
 * does. Given a function that reads them, it always calls the version running now (under
 * `npm run dev` functions are reloaded, added and removed while the gateway runs).
 */
export function memoryInvoker(
  functions: readonly BoundFunction[] | (() => readonly BoundFunction[]),
  send: (publishes: OutgoingEvent[]) => Promise<void>,
): FunctionInvoker {
  const current = typeof functions === 'function' ? functions : () => functions;
  return {
    get names() {
      return current().map((f) => f.manifest.name);
    },
    async invoke(name, request) {
      const fn = current().find((f) => f.manifest.name === name);
      if (!fn) throw new Error(`no function "${name}" in this process`);
      const result = await invokeOnce(fn, request, send);
      return { status: statusOfOutcome(result.outcome), answer: result };
    },
  };
}
