/**
 * Where a value sits in a JSON payload, in a small subset of JSONPath that reads the same
 * in a config file and in a vendor's manual: `$` (the payload itself), `$.value`,
 * `$.data.v`, `$.readings[0].value`, `$['tag.with.dots']`.
 */
export type PayloadPath = readonly (string | number)[];

const segment = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\])/;

/** The path's steps, or a message saying what is wrong with it. */
export function parsePayloadPath(text: string): PayloadPath | string {
  if (!text.startsWith('$')) return `a payload path starts with $ (e.g. $.value), got "${text}"`;
  const steps: (string | number)[] = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    const match = segment.exec(rest);
    if (!match) return `cannot read "${rest}" in ${text}: use .name, [index] or ['name']`;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push((match[3] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return steps;
}

/** The value at `path`, or undefined when the payload has nothing there. */
export function readPayloadPath(payload: unknown, path: PayloadPath): unknown {
  let here: unknown = payload;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(here)) return undefined;
      here = here[step];
    } else {
      if (here === null || typeof here !== 'object' || Array.isArray(here) || !Object.hasOwn(here, step)) return undefined;
      here = (here as Record<string, unknown>)[step];
    }
  }
  return here;
}

/** Parses a path known to be valid (the configuration was checked with parsePayloadPath). */
export function payloadPath(text: string): PayloadPath {
  const parsed = parsePayloadPath(text);
  if (typeof parsed === 'string') throw new TypeError(parsed);
  return parsed;
}
