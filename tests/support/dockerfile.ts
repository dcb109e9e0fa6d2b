import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** The arguments as written (continuations joined). */
  args: string;
  /** The exec form (["node", "x.ts"]) parsed, when the arguments are one. */
  exec: string[] | undefined;
}

export interface Stage {
  name: string | undefined;
  /** The image (or earlier stage) it starts from, ARG defaults substituted. */
  from: string;
  instructions: Instruction[];
}

/**
 * A Dockerfile as its stages and instructions: enough to check statically what a build
 * would do, on a machine with no Docker engine. Not a full parser: heredocs and parser
 * directives other than comments are not understood (the project's Dockerfile has none).
 */
export function readDockerfile(file: string): { args: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push((current + line).trim());
    current = '';
  }
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const text of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(text) ?? [];
    const instruction: Instruction = {
      keyword: keyword.toUpperCase(),
      args: rest,
      exec: rest.startsWith('[') ? (JSON.parse(rest) as string[]) : undefined,
    };
    const substitute = (value: string) => value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => args[name] ?? whole);
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args[name] = value;
    } else if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = rest.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, from: substitute(image), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** A stage's instructions, its ancestors' first (FROM <earlier stage> inherits USER, ENTRYPOINT, …). */
export function effectiveInstructions(stages: readonly Stage[], name: string): Instruction[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return [];
  const parent = stages.find((s) => s.name === stage.from);
  return [...(parent ? effectiveInstructions(stages, stage.from) : []), ...stage.instructions];
}
