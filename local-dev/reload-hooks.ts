import { registerHooks } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reloadVersionParam } from '../runtime/load-function.ts';

/** Proof that the reload hook is in place for a functions folder: the reloader asks for it. */
export interface ReloadHooks {
  readonly functionsDir: string;
  deregister(): void;
}

/**
 * Makes `loadFunction(dir, { version })` re-evaluate the whole function folder, not only
 * its handler.ts: a module imported from inside functions/<name>/ by a module of a reload
 * version gets the same version when it lies in the same folder (its helpers, however
 * deep). Everything else (the runtime, contracts, config, other functions) resolves as
 * usual, to the one instance the process already has.
 *
 * A synchronous, in-thread hook (`module.registerHooks`): it applies to every import after
 * this call, in this thread; it has no effect on code run by vitest's own module runner.
 */
export function registerReloadHooks(functionsDir: string): ReloadHooks {
  const root = pathToFileURL(`${resolve(functionsDir)}/`).href;
  const hooks = registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      const url = versionedUrl(resolved.url, context.parentURL, root);
      return url === resolved.url ? resolved : { ...resolved, url };
    },
  });
  return { functionsDir: resolve(functionsDir), deregister: () => hooks.deregister() };
}

/** `resolved` with the reload version of `parent`, when both lie in the same function folder under `root`. */
export function versionedUrl(resolved: string, parent: string | undefined, root: string): string {
  if (parent === undefined || !resolved.startsWith('file:') || !parent.startsWith('file:')) return resolved;
  const parentUrl = new URL(parent);
  const version = parentUrl.searchParams.get(reloadVersionParam);
  if (version === null) return resolved;
  const target = new URL(resolved);
  const folder = functionFolderOf(parentUrl, root);
  if (folder === undefined || functionFolderOf(target, root) !== folder) return resolved;
  target.searchParams.set(reloadVersionParam, version);
  return target.href;
}

// The first path segment under root, when the file lies in a folder there (not beside the folders).
function functionFolderOf(url: URL, root: string): string | undefined {
  const path = `${url.protocol}//${url.host}${url.pathname}`;
  if (!path.startsWith(root)) return undefined;
  const rest = path.slice(root.length);
  const slash = rest.indexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}
