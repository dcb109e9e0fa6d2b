import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reloadVersionParam } from '../runtime/load-function.ts';

/**
 * Why a function's new code did not load, in one line a developer can act on: the error's
 * message with the file and line inside the functions folder it points at (a syntax error's
 * message alone says neither), paths shown from the folder above functions/, reload
 * versions left out.
 */
export function reasonOf(error: unknown, functionsDir: string): string {
  const base = dirname(functionsDir);
  const tidy = (text: string) => tidyPaths(text, base);
  if (!(error instanceof Error)) return tidy(String(error));
  const where = locationIn(error.stack ?? '', functionsDir);
  const message = tidy(
    error.message
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' '),
  );
  const named = error.name && error.name !== 'Error' ? `${error.name}: ${message}` : message;
  return where && !message.includes(tidy(where)) ? `${named} (${tidy(where)})` : named;
}

// The first "path:line" of the stack that lies in the functions folder: a syntax error's
// stack starts with it, a thrown error's frames carry it as "(file:///…:line:column)".
function locationIn(stack: string, functionsDir: string): string | undefined {
  for (const match of stack.matchAll(/((?:file:\/\/)?\/[^\s():]+):(\d+)/g)) {
    const [, file, line] = match;
    if (file === undefined) continue;
    const path = file.startsWith('file:') ? safePath(file) : file;
    if (path?.startsWith(functionsDir + sep)) return `${path}:${line}`;
  }
  return undefined;
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url.split('?')[0] as string);
  } catch {
    return undefined;
  }
}

function tidyPaths(text: string, base: string): string {
  return text
    .replaceAll(new RegExp(`\\?${reloadVersionParam}=\\d+`, 'g'), '')
    .replaceAll(/file:\/\/(\/[^\s'"():]+)/g, (_, path: string) => path)
    .replaceAll(base + sep, '');
}
