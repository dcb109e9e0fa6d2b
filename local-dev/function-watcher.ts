import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { isFunctionFolderName } from './function-folders.ts';

export interface FunctionWatcher {
  close(): void;
}

/** What a burst of changes touched: the function folders by name, or everything (the platform did not say which file). */
export type FunctionChanges = ReadonlySet<string> | 'all';

/**
 * Watches the functions folder and calls `onChange` once a burst of writes has been quiet
 * for `debounceMs`: an editor's save is often several events (write, rename, chmod), and
 * `flowline new function` writes three files.
 *
 * One watcher per directory, not `fs.watch(…, { recursive: true })`: on Linux, Node builds
 * that from a watcher per file, which goes deaf once an editor saves by writing a new file
 * and renaming it over the old one. A directory's watcher keeps hearing about its entries.
 */
export function watchFunctions(
  functionsDir: string,
  onChange: (changes: FunctionChanges) => void,
  options: { debounceMs?: number; onError?: (error: Error) => void } = {},
): FunctionWatcher {
  const debounceMs = options.debounceMs ?? 100;
  const watchers = new Map<string, FSWatcher>(); // by path relative to functionsDir ('' is the folder itself)
  let touched = new Set<string>();
  let everything = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    timer = undefined;
    const changes: FunctionChanges = everything ? 'all' : touched;
    touched = new Set();
    everything = false;
    onChange(changes);
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const unwatch = (relative: string) => {
    for (const [path, watcher] of watchers) {
      if (relative === '' || path === relative || path.startsWith(`${relative}/`)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };

  const watchDirectory = (relative: string) => {
    if (watchers.has(relative)) return;
    const absolute = join(functionsDir, relative);
    let watcher: FSWatcher;
    try {
      watcher = watch(absolute, (_event, filename) => heard(relative, filename));
    } catch (error) {
      if (relative === '') throw error;
      return; // gone again before it could be watched: its parent's event covers it
    }
    watcher.on('error', (error) => {
      if (relative === '') options.onError?.(error);
      unwatch(relative);
    });
    watchers.set(relative, watcher);
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) watchDirectory(relative ? `${relative}/${entry.name}` : entry.name);
    }
  };

  const heard = (directory: string, filename: string | null) => {
    if (filename === null) {
      everything = true;
      schedule();
      return;
    }
    const path = directory ? `${directory}/${filename}` : filename;
    if (isDirectory(join(functionsDir, path))) {
      if (!filename.startsWith('.')) watchDirectory(path);
    } else if (watchers.has(path)) unwatch(path);
    const name = functionOfChange(path);
    if (name === undefined) return;
    touched.add(name);
    schedule();
  };

  watchDirectory('');
  return {
    close() {
      clearTimeout(timer);
      unwatch('');
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The function a changed path (relative to the functions folder) belongs to, or undefined
 * when the change cannot alter a function: files other than .ts and .yaml (editor swap and
 * backup files, notes), tests (`*.test.ts`), files beside the folders.
 */
export function functionOfChange(relativePath: string): string | undefined {
  const segments = relativePath.split(/[\\/]/);
  const [folder] = segments;
  if (folder === undefined || !isFunctionFolderName(folder)) return undefined;
  if (segments.length === 1) return folder.includes('.') ? undefined : folder; // the folder itself: made, deleted, renamed
  const file = segments[segments.length - 1] as string;
  if (file.endsWith('.test.ts')) return undefined;
  return file.endsWith('.ts') || file.endsWith('.yaml') ? folder : undefined;
}
