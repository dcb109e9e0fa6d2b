import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { topics } from '#contracts';
import { FunctionManifest } from '../runtime/manifest.ts';

const templateDir = join(import.meta.dirname, 'templates', 'function');

/**
 * `flowline new function <name> [--subscribes topic] [--publishes topic] [--description text]`:
 * a function folder from the template, checked with the same schema the runtime uses.
 */
export async function newFunction(root: string, args: string[]): Promise<string> {
  const [name, ...rest] = args;
  const flag = (flagName: string, fallback: string) => {
    const index = rest.indexOf(`--${flagName}`);
    return index >= 0 ? (rest[index + 1] ?? fallback) : fallback;
  };
  const subscribes = flag('subscribes', 'scada.telemetry.validated');
  const publishes = flag('publishes', '');
  const description = flag('description', `What ${name ?? 'this function'} does, in one sentence.`);
  const manifest = FunctionManifest.safeParse({ name, subscribes: [subscribes], publishes: publishes ? [publishes] : [] });
  if (!manifest.success)
    throw new Error(
      `cannot create function "${name ?? ''}": ${manifest.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (!(subscribes in topics)) {
    throw new Error(
      `"${subscribes}" is not a topic of contracts/topics.ts; choose one of: ${Object.keys(topics).join(', ')} (or add its schema there first)`,
    );
  }
  const dir = join(root, 'functions', manifest.data.name);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  await mkdir(dir, { recursive: true });
  for (const file of await readdir(templateDir)) {
    const text = (await readFile(join(templateDir, file), 'utf8'))
      .replaceAll('__NAME__', manifest.data.name)
      .replaceAll('__SUBSCRIBES__', subscribes)
      .replaceAll('__PUBLISHES__', publishes)
      .replaceAll('__DESCRIPTION__', description);
    await writeFile(join(dir, file.replace(/\.tmpl$/, '')), text);
  }
  return dir;
}
