import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, stripTypeScriptTypes } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { init, parse } from 'es-module-lexer';

export interface ImportClosure {
  /** Repository-relative files a process loads, starting from its entry points. */
  files: Set<string>;
  /** npm packages imported at run time (type-only imports are gone after type stripping). */
  packages: Set<string>;
  /** For each package, the files that import it. */
  importers: Map<string, Set<string>>;
  /** Imports that resolve to no file, as `file: specifier`. */
  unresolved: string[];
}

const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const builtins = new Set(builtinModules);

/**
 * Every file and package a process imports, transitively, the way Node resolves them
 * (relative paths with their .ts extension, the package's own `#` imports): what an
 * image must contain for the process to start. Dynamic imports with a computed
 * specifier (a function's handler.ts) are entry points of their own.
 */
export async function importClosureOf(repoRoot: string, entries: readonly string[]): Promise<ImportClosure> {
  await init;
  const imports = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { imports?: Record<string, string> }).imports ?? {};
  const closure: ImportClosure = { files: new Set(), packages: new Set(), importers: new Map(), unresolved: [] };
  const resolveHash = (specifier: string) => {
    if (imports[specifier]) return join(repoRoot, imports[specifier]);
    for (const [pattern, target] of Object.entries(imports)) {
      if (pattern.endsWith('*') && specifier.startsWith(pattern.slice(0, -1)))
        return join(repoRoot, target.replace('*', specifier.slice(pattern.length - 1)));
    }
    return undefined;
  };
  const queue = entries.map((e) => resolve(repoRoot, e));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    const path = relative(repoRoot, file);
    if (closure.files.has(path)) continue;
    if (!existsSync(file)) {
      closure.unresolved.push(path);
      continue;
    }
    closure.files.add(path);
    if (!file.endsWith('.ts')) continue;
    const [specifiers] = parse(stripTypeScriptTypes(readFileSync(file, 'utf8')), path);
    for (const { n: specifier } of specifiers) {
      if (!specifier) continue; // computed: not followable
      if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
      const target = specifier.startsWith('.')
        ? resolve(dirname(file), specifier)
        : specifier.startsWith('#')
          ? resolveHash(specifier)
          : undefined;
      if (target) queue.push(target);
      else if (specifier.startsWith('.') || specifier.startsWith('#')) closure.unresolved.push(`${path}: ${specifier}`);
      else {
        const name = packageOf(specifier);
        closure.packages.add(name);
        closure.importers.set(name, (closure.importers.get(name) ?? new Set()).add(path));
      }
    }
  }
  return closure;
}
