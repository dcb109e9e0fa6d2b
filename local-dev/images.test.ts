import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { requiredNodeMajor } from '../runtime/node-version.ts';
import { effectiveInstructions, readDockerfile } from '../tests/support/dockerfile.ts';
import { importClosureOf } from '../tests/support/import-closure.ts';
import { repoRoot } from './services/paths.ts';

/**
 * The Dockerfile cannot be built here (no Docker engine), so what a build and a start
 * would find out is checked by reading: pinned Node 24 base, production dependencies
 * only, a numeric non-root user, entry points that exist, and every file and package
 * each process imports present in its image.
 */
const { stages } = readDockerfile(join(repoRoot, 'Dockerfile'));
const stageNames = new Set(stages.map((s) => s.name));
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The memory host's in-process stand-ins: development dependencies, loaded only by this module, which says what to do when absent. */
const standIns = { module: 'runtime/resources/stand-ins.ts', packages: ['ioredis-mock', '@electric-sql/pglite'] };
const functionHandlers = readdirSync(join(repoRoot, 'functions'))
  .map((name) => `functions/${name}/handler.ts`)
  .filter((file) => existsSync(join(repoRoot, file)));

/** Each image, and the files its processes start from (a function's handler.ts is imported by path at run time). */
const targets: Record<string, { entries: string[] }> = {
  function: { entries: ['runtime/run.ts', 'keda/lag-command.ts', ...functionHandlers] },
  gateway: { entries: ['gateway/main.ts'] },
  'edge-adapter': { entries: ['edge-adapter/main.ts', 'edge-adapter/simulators/main.ts', 'edge-site/main.ts', ...functionHandlers] },
};

const copiedPaths = (target: string) =>
  effectiveInstructions(stages, target)
    .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1));

describe('the Dockerfile', () => {
  it('starts every stage from an exactly pinned Node.js 24 slim image', () => {
    const bases = stages.filter((s) => !stageNames.has(s.from)).map((s) => s.from);
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) {
      const match = /^node:(\d+)\.(\d+)\.(\d+)-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/.exec(image);
      expect(match, image).not.toBeNull();
      expect(Number(match?.[1]), image).toBe(requiredNodeMajor);
    }
  });

  it('installs from the lockfile, applies the patches, and keeps only production dependencies', () => {
    const run = effectiveInstructions(stages, 'dependencies')
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' ');
    expect(run).toMatch(/npm ci .*--ignore-scripts/);
    expect(run).toContain('patch-package');
    expect(run).toMatch(/npm prune --omit=dev/);
    expect(copiedPaths('dependencies')).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'patches']));
  });

  it('copies only paths that exist, and .dockerignore keeps none of them out', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '.flowline', '.git']));
    for (const target of Object.keys(targets)) {
      for (const path of copiedPaths(target)) {
        expect(existsSync(join(repoRoot, path)), `${target}: COPY ${path}`).toBe(true);
        expect(ignored, `${target}: COPY ${path}`).not.toContain(path);
      }
    }
  });

  it("names its targets as the chart's image repositories (flowline-<target>)", () => {
    const values = load(readFileSync(join(repoRoot, 'charts', 'flowline', 'values.yaml'), 'utf8')) as {
      image: { repositories: Record<string, string> };
    };
    expect(Object.values(values.image.repositories).sort()).toEqual(
      Object.keys(targets)
        .map((t) => `flowline-${t}`)
        .sort(),
    );
  });

  it('leaves out the in-process stand-ins (memory://): a production process cannot fall back to them', () => {
    for (const name of standIns.packages) {
      expect(packageJson.dependencies, name).not.toHaveProperty(name);
      expect(packageJson.devDependencies, name).toHaveProperty(name);
    }
  });

  describe.each(Object.entries(targets))('target %s', (target, { entries }) => {
    const instructions = effectiveInstructions(stages, target);
    const entrypoint = instructions.findLast((i) => i.keyword === 'ENTRYPOINT')?.exec ?? [];
    const built = existsSync(join(repoRoot, entrypoint[1] ?? ''));

    it('exists, multi-stage, without npm in the final image', () => {
      expect(stageNames.has(target)).toBe(true);
      expect(instructions.some((i) => i.keyword === 'COPY' && i.args.startsWith('--from=dependencies'))).toBe(true);
      expect(instructions.some((i) => i.keyword === 'RUN' && i.args.includes('rm -rf /usr/local/lib/node_modules/npm'))).toBe(true);
    });

    it('runs as a numeric, non-root user', () => {
      const user = instructions.findLast((i) => i.keyword === 'USER')?.args ?? 'root';
      expect(user).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    });

    it.skipIf(!built)(`starts ${entrypoint.join(' ')}, which exists`, () => {
      expect(entrypoint[0]).toBe('node');
      expect(entries).toContain(entrypoint[1]);
    });

    it.skipIf(!built)('contains every file and production package its processes import', async () => {
      const closure = await importClosureOf(repoRoot, entries);
      expect(closure.unresolved).toEqual([]);
      const copied = copiedPaths(target);
      const outside = [...closure.files].filter((file) => !copied.some((path) => file === path || file.startsWith(`${path}/`)));
      expect(outside).toEqual([]);
      expect([...closure.files].filter((file) => file.endsWith('.test.ts') || file.includes('/test-support/'))).toEqual([]);
      const missing = [...closure.packages].filter((name) => !(name in packageJson.dependencies));
      expect(missing.filter((name) => !standIns.packages.includes(name))).toEqual([]);
      for (const name of missing) expect([...(closure.importers.get(name) ?? [])], name).toEqual([standIns.module]);
    });
  });
});
