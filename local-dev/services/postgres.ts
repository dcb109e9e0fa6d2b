import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir as cloneStateDir } from './paths.ts';
import { ensureAptPackages, envPort, isRoot, log, portOpen, run, ServiceError } from './process.ts';

export interface PostgresService {
  url: string;
  port: number;
  started: boolean;
}

/**
 * Where the cluster lives. As root, PostgreSQL runs as the `postgres` user, who may not
 * be able to enter the clone (a home directory is mode 0700): then the cluster, its
 * socket and its log live under /var/tmp/flowline/<hash of the clone's state dir>, one
 * per clone, and .flowline/postgres/location says where. FLOWLINE_POSTGRES_DIR overrides.
 */
export function postgresDir(stateDir = cloneStateDir): string {
  if (process.env.FLOWLINE_POSTGRES_DIR) return process.env.FLOWLINE_POSTGRES_DIR;
  if (!isRoot()) return join(stateDir, 'postgres');
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  return join('/var/tmp', 'flowline', hash, 'postgres');
}
const dataDir = (stateDir?: string) => join(postgresDir(stateDir), 'data');

/** The newest installed server's bin directory, installing Debian's `postgresql` if there is none. */
export function postgresBin(): string {
  const find = () => {
    const root = '/usr/lib/postgresql';
    if (!existsSync(root)) return undefined;
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
  };
  let bin = find();
  if (!bin) {
    ensureAptPackages(['postgresql'], 'PostgreSQL for the tests');
    bin = find();
  }
  if (!bin)
    throw new ServiceError('PostgreSQL server binaries not found after installing: expected /usr/lib/postgresql/<version>/bin/pg_ctl');
  return bin;
}

/**
 * PostgreSQL refuses to run as root, so when we are root the throwaway cluster
 * belongs to the `postgres` user that Debian's package creates.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(run('id', [flag, 'postgres'], { what: 'looking up the postgres user' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function asPostgres(bin: string, tool: string, args: string[]): string {
  const user = runAs();
  if (!user) return run(join(bin, tool), args, { what: tool });
  return run('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', join(bin, tool), ...args], { what: tool });
}

/** A server certificate and key (PEM) for a cluster that also accepts TLS (`ssl=on`). */
export interface PostgresTls {
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway cluster (see postgresDir): trust auth on loopback only, fsync off. With `tls`,
 * it accepts TLS too (clients choose it with sslmode): for tests of the clients' TLS settings,
 * on a cluster of its own (`stateDir`), since the setting applies at start.
 */
export async function startPostgres(options: { port?: number; stateDir?: string; tls?: PostgresTls } = {}): Promise<PostgresService> {
  const port = options.port ?? envPort('FLOWLINE_POSTGRES_PORT', 15432);
  const stateDir = options.stateDir ?? cloneStateDir;
  const data = dataDir(stateDir);
  const socketDir = () => join(postgresDir(stateDir), 'run');
  const logFile = () => join(postgresDir(stateDir), 'postgres.log');
  // A cluster of an earlier layout (inside the clone) still running would hold the port.
  const legacy = join(stateDir, 'postgres', 'data');
  if (legacy !== data && existsSync(join(legacy, 'postmaster.pid'))) {
    log(`stopping the PostgreSQL cluster of the old layout in ${legacy}`);
    try {
      asPostgres(postgresBin(), 'pg_ctl', ['stop', '-D', legacy, '-m', 'fast', '-w']);
    } catch {
      // not running after all
    }
  }
  const url = `postgres://flowline@127.0.0.1:${port}/flowline`;
  const bin = postgresBin();
  const user = runAs();
  const running = (() => {
    try {
      asPostgres(bin, 'pg_ctl', ['status', '-D', data]);
      return true;
    } catch {
      return false;
    }
  })();
  if (running && (await portOpen(port))) return { url, port, started: false };
  if (await portOpen(port)) {
    throw new ServiceError(`port ${port} is taken by something that is not our PostgreSQL: set FLOWLINE_POSTGRES_PORT to a free port`);
  }

  // Every directory above the cluster stays root's (and enterable); the cluster's own belong to postgres.
  for (const dir of [postgresDir(stateDir), socketDir()]) {
    mkdirSync(dir, { recursive: true });
    if (user) chownSync(dir, user.uid, user.gid);
  }
  mkdirSync(join(stateDir, 'postgres'), { recursive: true });
  writeFileSync(join(stateDir, 'postgres', 'location'), `${postgresDir(stateDir)}\n`);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    log(`initialising a throwaway PostgreSQL cluster in ${data}`);
    mkdirSync(data, { recursive: true });
    if (user) chownSync(data, user.uid, user.gid);
    chmodSync(data, 0o700);
    asPostgres(bin, 'initdb', ['-D', data, '-U', 'flowline', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  }
  log(`starting PostgreSQL on 127.0.0.1:${port}${options.tls ? ' (TLS accepted)' : ''}`);
  const tls = options.tls ? serverTlsFiles(postgresDir(stateDir), options.tls, user) : undefined;
  const settings = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${socketDir()}'`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=128MB',
    ...(tls ? ['-c ssl=on', `-c ssl_cert_file='${tls.certFile}'`, `-c ssl_key_file='${tls.keyFile}'`] : []),
  ].join(' ');
  if (user) {
    // The log file must be writable by the postgres user.
    run('touch', [logFile()]);
    chownSync(logFile(), user.uid, user.gid);
  }
  try {
    asPostgres(bin, 'pg_ctl', ['start', '-D', data, '-l', logFile(), '-w', '-t', '60', '-o', settings]);
  } catch (error) {
    throw new ServiceError(`PostgreSQL did not start: ${(error as Error).message}\nsee ${logFile()}`);
  }
  const exists = asPostgres(bin, 'psql', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'flowline',
    '-d',
    'postgres',
    '-tAc',
    "SELECT 1 FROM pg_database WHERE datname = 'flowline'",
  ]);
  if (exists.trim() !== '1') asPostgres(bin, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'flowline', 'flowline']);
  return { url, port, started: true };
}

/** PostgreSQL reads its key only if the server's user owns it and no one else may read it: copies beside the cluster. */
function serverTlsFiles(dir: string, tls: PostgresTls, user: { uid: number; gid: number } | undefined): PostgresTls {
  const own = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
  copyFileSync(tls.certFile, own.certFile);
  copyFileSync(tls.keyFile, own.keyFile);
  chmodSync(own.keyFile, 0o600);
  if (user) for (const file of [own.certFile, own.keyFile]) chownSync(file, user.uid, user.gid);
  return own;
}

export async function stopPostgres(options: { stateDir?: string } = {}): Promise<boolean> {
  const data = dataDir(options.stateDir);
  if (!existsSync(join(data, 'postmaster.pid'))) return false;
  const bin = postgresBin();
  try {
    asPostgres(bin, 'pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
    return true;
  } catch {
    return false;
  }
}
