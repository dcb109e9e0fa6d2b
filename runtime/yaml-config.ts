import { EVENT_ID, type Event, getScalarValue, load, parseEvents, YAMLException } from 'js-yaml';
import type { z } from 'zod';

/** A YAML file that failed to load or validate; each line of the message is `file:line: path: problem`. */
export class ConfigFileError extends Error {
  readonly problems: { line: number | undefined; path: string; message: string }[];

  constructor(file: string, problems: { line: number | undefined; path: string; message: string }[]) {
    super(
      `${file} is not valid:\n${problems
        .map((p) => `  ${file}${p.line === undefined ? '' : `:${p.line}`}: ${p.path ? `${p.path}: ` : ''}${p.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigFileError';
    this.problems = problems;
  }
}

/**
 * Loads a YAML configuration and validates it with a zod schema. Every problem is
 * reported with the line it sits on, so an operator editing a 300-line device list
 * goes straight to the mistake.
 */
export function loadYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S): z.infer<S> {
  let value: unknown;
  try {
    value = load(text, { filename: file });
  } catch (error) {
    if (error instanceof YAMLException) {
      const line = (error as YAMLException & { mark?: { line?: number } }).mark?.line;
      throw new ConfigFileError(file, [
        { line: line === undefined ? undefined : line + 1, path: '', message: error.reason ?? error.message },
      ]);
    }
    throw error;
  }
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const lines = lineIndex(text);
  throw new ConfigFileError(
    file,
    result.error.issues.map((issue) => {
      const path = issue.path.map(String);
      // An unknown key is reported on its parent; point at the key itself when we can.
      const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
      const located = keys?.[0] !== undefined ? [...path, keys[0]] : path;
      return { line: lines(located), path: path.join('.'), message: issue.message };
    }),
  );
}

/** Maps a path (keys and indexes) to the 1-based line where that node starts. */
function lineIndex(text: string): (path: readonly string[]) => number | undefined {
  const offsets = new Map<string, number>();
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return () => undefined;
  }
  type Frame = { kind: 'map' | 'seq'; path: string[]; key: string | undefined; index: number };
  const stack: Frame[] = [];
  const childPath = (): string[] | undefined => {
    const top = stack.at(-1);
    if (!top) return [];
    if (top.kind === 'seq') return [...top.path, String(top.index)];
    return top.key === undefined ? undefined : [...top.path, top.key];
  };
  const advance = () => {
    const top = stack.at(-1);
    if (!top) return;
    if (top.kind === 'seq') top.index += 1;
    else top.key = undefined;
  };
  for (const event of events) {
    if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) {
      const path = childPath() ?? [];
      if (!offsets.has(path.join('\u0000'))) offsets.set(path.join('\u0000'), event.start);
      stack.push({ kind: event.type === EVENT_ID.MAPPING ? 'map' : 'seq', path, key: undefined, index: 0 });
    } else if (event.type === EVENT_ID.SCALAR) {
      const top = stack.at(-1);
      if (top?.kind === 'map' && top.key === undefined) {
        top.key = getScalarValue(text, event);
        offsets.set([...top.path, top.key].join('\u0000'), event.valueStart);
      } else {
        const path = childPath();
        if (path && !offsets.has(path.join('\u0000'))) offsets.set(path.join('\u0000'), event.valueStart);
        advance();
      }
    } else if (event.type === EVENT_ID.ALIAS) {
      advance();
    } else if (event.type === EVENT_ID.POP) {
      if (stack.length > 0) {
        stack.pop();
        advance();
      }
    }
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  return (path) => {
    // The deepest ancestor that exists: a missing key is reported where its parent is.
    for (let depth = path.length; depth >= 0; depth--) {
      const offset = offsets.get(path.slice(0, depth).join('\u0000'));
      if (offset !== undefined && offset >= 0) return lineOf(offset);
    }
    return undefined;
  };
}
