/**
 * `npm test`'s vitest part: two vitest runs side by side. One runs the unit, integration and
 * e2e projects (integration and e2e one file at a time: they share the services their global
 * setup starts); the other runs the fault suite, which starts, stops and kills services of its
 * own on ports of its own (tests/faults/global-setup.ts, own-services.ts) and so needs nothing
 * of the first. One vitest run cannot overlap them: projects with different worker counts must
 * be in different groups, and groups run one after the other. Side by side, most of the fault
 * suite's minutes (waiting out each fault) pass while the integration files run.
 *
 * The fault suite's output goes to a file while it runs and is printed when it ends, so each
 * run's report reads whole; the exit code is non-zero if either run failed. Arguments (a file
 * or a `--project`) run one plain vitest run instead.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installDaprd } from '../local-dev/services/daprd.ts';
import { installKafka } from '../local-dev/services/kafka.ts';
import { logsDir, repoRoot } from '../local-dev/services/paths.ts';
import { postgresBin } from '../local-dev/services/postgres.ts';
import { redisServerBin } from '../local-dev/services/redis.ts';
import { installSchemathesis } from '../local-dev/services/schemathesis.ts';

const vitest = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');

function run(args: string[], output?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', ...args], {
      cwd: repoRoot,
      stdio: output ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: output ? { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } : process.env,
    });
    if (output) {
      const file = createWriteStream(output);
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
    child.once('error', (error) => {
      console.error(`could not start vitest (${error.message}): run npm install`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const extra = process.argv.slice(2);
if (extra.length > 0) process.exit(await run(extra));

// What both runs need, installed first and one at a time: on a new machine two runs would
// otherwise race for apt's lock, the same download and the same Go build (all cached after).
postgresBin();
redisServerBin();
installKafka();
installDaprd();
installSchemathesis();

mkdirSync(logsDir, { recursive: true });
const faultsLog = join(logsDir, 'faults-run.log');
console.log(`the fault suite runs beside the other projects; its report follows theirs (as it runs: ${faultsLog})\n`);
const [main, faults] = await Promise.all([
  run(['--project', 'unit', '--project', 'integration', '--project', 'e2e']),
  run(['--project', 'faults'], faultsLog),
]);
console.log('\n──────── the fault suite ────────\n');
console.log(readFileSync(faultsLog, 'utf8'));
if (main !== 0 || faults !== 0) {
  console.error(
    `npm test failed: ${[main !== 0 && 'unit/integration/e2e', faults !== 0 && 'the fault suite'].filter(Boolean).join(' and ')}`,
  );
  process.exit(1);
}
