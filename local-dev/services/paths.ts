import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root (local-dev/services/ is two levels down). */
export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * Installed artifacts (Kafka jars, daprd, helm) live in a per-user cache shared by
 * every clone, so a second clone or CI run on the same machine does not rebuild them.
 */
export const cacheDir = resolve(
  process.env.FLOWLINE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'flowline'),
);

/** Running state (data directories, logs, pid files) is per clone, under .flowline/. */
export const stateDir = resolve(process.env.FLOWLINE_STATE_DIR ?? join(repoRoot, '.flowline'));

export const logsDir = join(stateDir, 'logs');

/**
 * Function folders a test or a tool writes (fixtures, copies of a function): always inside the
 * repository, wherever FLOWLINE_STATE_DIR points, because their handlers import `#runtime`
 * and the project's packages, which resolve only from here.
 */
export const functionScratchDir = join(repoRoot, '.flowline', 'tmp', 'functions');
