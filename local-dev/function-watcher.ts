import { type FSWatcher, watch } from 'node:fs';
import { isFunctionFolderName } from './function-folders.ts';

export interface FunctionWatcher {
  close(): void;
}

/** What a burst of changes touched: the function folders by name, or everything (the platform did not say which file). */
export type FunctionChanges = ReadonlySet<string> | 'all';

/**
 * Watches the functions folder (recursively) and calls `onChange` once a burst of writes
 * has been quiet for `debounceMs`: an editor's save is often several events (write, rename,
 * chmod), and `flowline new function` writes three files.
 */
export function watchFunctions(
  functionsDir: string,
  onChange: (changes: FunctionChanges) => void,
  options: { debounceMs?: number; onError?: (error: Error) => void } = {},
): FunctionWatcher {
  const debounceMs = options.debounceMs ?? 100;
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
  const watcher: FSWatcher = watch(functionsDir, { recursive: true }, (_event, filename) => {
    if (filename === null) everything = true;
    else {
      const name = functionOfChange(filename);
      if (name === undefined) return;
      touched.add(name);
    }
    clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  watcher.on('error', (error) => options.onError?.(error));
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
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
