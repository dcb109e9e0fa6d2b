import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.ts';
import { ensureAptPackages, log, run, ServiceError, which } from './process.ts';

/** The API fuzzer the fault suite drives the gateway with: pinned, so a seed replays the same cases. */
export const schemathesisVersion = '4.32.5';

/** Whether this python3 can make a venv with pip in it (Debian ships that part as python3-venv). */
const canMakeVenv = (python: string) => {
  try {
    run(python, ['-c', 'import venv, ensurepip'], { what: 'checking python3 venv' });
    return true;
  } catch {
    return false;
  }
};

/**
 * schemathesis from PyPI, in a Python venv of its own in the per-user cache, installed
 * once. A venv's scripts name its path in their shebang, so it is built in place; a
 * marker written after `st --version` answers says it is complete, and a venv without
 * one (an interrupted install) is built again. FLOWLINE_SCHEMATHESIS points at an `st`
 * of your own instead. Returns the `st` binary.
 */
export function installSchemathesis(): string {
  const own = process.env.FLOWLINE_SCHEMATHESIS;
  if (own) {
    if (!existsSync(own)) throw new ServiceError(`FLOWLINE_SCHEMATHESIS is set to ${own}, which does not exist`);
    return own;
  }
  const dir = join(cacheDir, `schemathesis-${schemathesisVersion}`);
  const st = join(dir, 'bin', 'st');
  const marker = join(dir, '.flowline-installed');
  if (existsSync(marker)) return st;
  const python = which('python3');
  if (!python) throw new ServiceError('schemathesis needs Python 3.9+: install python3 (Debian: python3 python3-venv)');
  if (!canMakeVenv(python)) ensureAptPackages(['python3-venv'], 'the HTTP fuzz case (a Python venv for schemathesis)');
  rmSync(dir, { recursive: true, force: true });
  log(`installing schemathesis ${schemathesisVersion} into ${dir} (first time only, about a minute)`);
  run(python, ['-m', 'venv', dir], { what: 'creating a Python venv for schemathesis' });
  run(
    join(dir, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${schemathesisVersion}`],
    { what: `installing schemathesis ${schemathesisVersion} with pip (check the network, or your pip index settings)` },
  );
  const version = run(st, ['--version'], { what: 'running the installed schemathesis' }).trim();
  if (!version.includes(schemathesisVersion))
    throw new ServiceError(`the installed st says "${version}", not ${schemathesisVersion}: remove ${dir} and try again`);
  writeFileSync(marker, `${version}\n`);
  return st;
}

// `node local-dev/services/schemathesis.ts`: install it now and print where `st` is.
if (import.meta.main) {
  try {
    console.log(installSchemathesis());
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    console.error(`local-dev: ${error.message}`);
    process.exit(1);
  }
}
