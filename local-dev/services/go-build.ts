import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from './paths.ts';
import { log, run, ServiceError, which } from './process.ts';

/** The version a wrapper module (local-dev/<name>/go.mod) requires of one of its modules. */
export function requiredVersion(moduleDir: string, modulePath: string): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const escaped = modulePath.replaceAll('.', '\\.').replaceAll('/', '\\/');
  const version = new RegExp(`^\\s*${escaped} (v[0-9][^\\s]*)`, 'm').exec(goMod)?.[1];
  if (!version) throw new ServiceError(`${moduleDir}/go.mod does not require ${modulePath}: restore it from git`);
  return version;
}

export interface GoBinaries {
  /** A folder of the repository holding go.mod and go.sum (local-dev/kubernetes, local-dev/keda). */
  moduleDir: string;
  /** The versioned folder under the cache, e.g. `kubernetes-v1.36.5-etcd-v3.6.8`. */
  name: string;
  /** binary file name → main package (listed as a `tool` of the module). */
  binaries: Record<string, string>;
  ldflags: string;
  /** What the first-run message tells the developer to expect. */
  expect: string;
}

/**
 * Builds Go binaries from a wrapper module of the repository once, into
 * `<cache>/<name>/`, and returns that folder. Modules like kubernetes and KEDA cannot be
 * `go install`ed (replace directives), so the module pins them and repeats the replaces.
 * The folder appears only complete (built beside it, then renamed), so an interrupted
 * build is never taken for an installed one. The compile cache is private to the build
 * and removed afterwards: the binaries are what is kept, a few GB of objects are not.
 * FLOWLINE_GO_BUILD_JOBS limits parallel compiles (`go build -p`) on a shared machine.
 */
export function installGoBinaries(spec: GoBinaries): string {
  const dir = join(cacheDir, spec.name);
  const complete = () => Object.keys(spec.binaries).every((binary) => existsSync(join(dir, binary)));
  if (complete()) return dir;
  if (!which('go')) throw new ServiceError(`building ${spec.name} needs Go 1.26+: install it from go.dev or your package manager`);
  const partial = join(cacheDir, `${spec.name}.partial-${process.pid}`);
  const goCache = join(cacheDir, `go-build-${process.pid}`);
  mkdirSync(partial, { recursive: true });
  const jobs = process.env.FLOWLINE_GO_BUILD_JOBS;
  if (jobs !== undefined && !/^[1-9][0-9]*$/.test(jobs)) {
    throw new ServiceError(`FLOWLINE_GO_BUILD_JOBS must be a positive whole number, got "${jobs}"`);
  }
  log(`building ${spec.name} from the Go module proxy (first time only, ${spec.expect})`);
  const started = Date.now();
  try {
    for (const [binary, pkg] of Object.entries(spec.binaries)) {
      run('go', ['build', '-trimpath', ...(jobs ? ['-p', jobs] : []), '-ldflags', spec.ldflags, '-o', join(partial, binary), pkg], {
        cwd: spec.moduleDir,
        env: { ...process.env, CGO_ENABLED: '0', GOCACHE: goCache, GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() },
        what: `building ${binary} (${spec.name}) in ${spec.moduleDir.slice(repoRoot.length + 1)}`,
      });
    }
    // Another process may have finished first; either build is the same.
    if (!complete()) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(partial, dir);
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(goCache, { recursive: true, force: true });
  }
  log(`built ${spec.name} in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/**
 * Where the Go module cache holds the source of a module the wrapper module requires
 * (downloading it if needed): KEDA's and Dapr's CRDs ship inside their modules.
 */
export function moduleSourceDir(moduleDir: string, modulePath: string): string {
  if (!which('go')) throw new ServiceError(`reading ${modulePath} needs Go 1.26+: install it from go.dev or your package manager`);
  const out = run('go', ['mod', 'download', '-json', modulePath], { cwd: moduleDir, what: `downloading ${modulePath}` });
  const { Dir: dir, Error: error } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!dir) throw new ServiceError(`go mod download ${modulePath} gave no source folder${error ? `: ${error}` : ''}`);
  return dir;
}
